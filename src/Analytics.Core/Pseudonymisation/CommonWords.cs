namespace Analytics.Core.Pseudonymisation;

// Common English words that are also names or name parts ("Rose", "Will", "Brown"). A single such word in
// the narrative is not taken for the person on its own: that would scrub ordinary prose. The full name,
// or any two parts of it together, is still scrubbed.
internal static class CommonWords
{
    private static readonly HashSet<string> _words = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "her", "was", "one", "our", "out",
        "day", "get", "has", "him", "his", "how", "man", "new", "now", "old", "see", "two", "way", "who", "boy",
        "did", "its", "let", "put", "say", "she", "too", "use", "had", "may", "will", "with", "from", "they",
        "this", "that", "have", "were", "been", "when", "what", "your", "said", "each", "which", "their", "there",
        "about", "would", "these", "other", "into", "more", "some", "time", "very", "then", "them", "than",
        "only", "come", "over", "also", "back", "after", "year", "years", "work", "first", "well", "even", "want",
        "because", "good", "give", "most", "where", "while", "case", "city", "home", "house", "road", "street",
        "rose", "lily", "daisy", "ivy", "hope", "faith", "grace", "joy", "dawn", "summer", "april", "june",
        "august", "mark", "bill", "frank", "grant", "hunter", "king", "young", "white", "black", "brown", "green",
        "gray", "grey", "long", "short", "little", "small", "smith", "baker", "cook", "miller", "mason", "carter",
        "taylor", "turner", "walker", "wood", "woods", "hill", "field", "fields", "lane", "park", "ford", "price",
        "rich", "love", "star", "sky", "rain", "snow", "river", "stone", "bay", "cliff", "dale", "glen", "may",
        "sunny", "honey", "ruby", "pearl", "jade", "amber", "crystal", "victim", "suspect", "police", "court",
        "girl", "girls", "boys", "child", "children", "mother", "father", "sister", "brother", "aunt", "uncle",
        "friend", "family", "money", "phone", "bank", "card", "born", "age", "aged", "via", "per", "paid",
        "said", "told", "later", "again", "under", "between", "before", "during", "against", "through", "without",
        "english", "french", "german", "polish", "italian", "spanish", "dutch", "north", "south", "east", "west",
    };

    public static bool Contains(string foldedWord) => _words.Contains(foldedWord);
}
