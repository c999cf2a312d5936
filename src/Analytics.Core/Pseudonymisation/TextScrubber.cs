using System.Text;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Analytics.Core.Pseudonymisation;

/// <summary>An identifier from the structured part of a submission, to be found again in its free text.</summary>
/// <param name="Type">One of <see cref="IdentifierTypes"/>.</param>
/// <param name="Value">The raw value as submitted.</param>
/// <param name="Country">Country for phones (parsing region), documents and plates (token prefix).</param>
/// <param name="Platform">Platform for handles.</param>
public sealed record KnownIdentifier(string Type, string Value, string? Country = null, string? Platform = null);

/// <summary>A span the scrubber replaces: start, length and type ("dob" for dates of birth).</summary>
internal readonly record struct ScrubSpan(int Start, int Length, string Type)
{
    public int End => Start + Length;
}

internal readonly record struct ResolvedIdentifier(KnownIdentifier Item, string? Normalised, string Token);

/// <summary>A scrubbed text.</summary>
/// <param name="Text">
/// The text with each hit replaced by "[&lt;token&gt;]"; dates of birth by "[dob]", cities by "[place:&lt;country&gt;]"
/// and street addresses by "[address]" (they carry no token: they are dropped, not linked).
/// </param>
/// <param name="Counts">Replaced spans by type ("dob", "place" and "address" included).</param>
/// <param name="Tokens">Distinct tokens placed in the text.</param>
public sealed record ScrubResult(string Text, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<string> Tokens);

/// <summary>
/// Removes direct identifiers from free text: validated recognisers (e-mail, phone, IBAN, card, wallet, handle),
/// context words (date of birth, passport / ID, plate, phone), every identifier and name known from the
/// structured part of the same submission, wherever and however it recurs, cities of the gazetteer and street addresses. Each hit becomes its typed token, so
/// links between cases survive scrubbing. Thread-safe.
/// </summary>
public sealed partial class TextScrubber
{
    /// <summary>Count key, and placeholder text, for a date of birth (it has no token: it is dropped, not linked).</summary>
    public const string DateOfBirthType = "dob";

    /// <summary>Count key of a city or town; its placeholder keeps only the country ("[place:IT]").</summary>
    public const string PlaceType = "place";

    /// <summary>Count key, and placeholder text, of a street address (with its house number and postcode).</summary>
    public const string AddressType = "address";

    // Lower wins on equal length: what the submission told us beats context words, which beat bare patterns.
    private const int KnownPriority = 0;
    private const int ContextPriority = 1;
    private const int PatternPriority = 2;

    private static readonly PhoneNumberUtil _phoneUtil = PhoneNumberUtil.GetInstance();

    private readonly Tokeniser _tokeniser;

    /// <summary>Creates a scrubber whose tokens come from <paramref name="tokeniser"/>.</summary>
    public TextScrubber(Tokeniser tokeniser)
    {
        ArgumentNullException.ThrowIfNull(tokeniser);
        _tokeniser = tokeniser;
    }

    /// <summary>
    /// Prepares the known items of one submission once, for scrubbing several of its texts.
    /// <paramref name="defaultRegion"/> (ISO alpha-2, usually the jurisdiction) is used to read national phone numbers.
    /// </summary>
    /// <param name="otherRegions">The other countries the case names: national numbers that are not phones of the default
    /// region are read in their formats too.</param>
    public ScrubContext Prepare(string? defaultRegion, IEnumerable<KnownIdentifier>? known = null,
        string? caseReference = null, string? authority = null, IEnumerable<string?>? otherRegions = null)
    {
        var resolved = new List<ResolvedIdentifier>();
        foreach (var item in known ?? [])
        {
            if (string.IsNullOrWhiteSpace(item.Value)) continue;
            var token = _tokeniser.TokenAndNormalise(item.Type, item.Value, item.Country, item.Platform, defaultRegion, out var normalised);
            resolved.Add(new ResolvedIdentifier(item, normalised, token));
        }
        var caseToken = string.IsNullOrWhiteSpace(caseReference) ? null : _tokeniser.TokenForCaseReference(caseReference, authority ?? "");
        var context = Prepare(defaultRegion, resolved, caseReference, caseToken);
        if (otherRegions is not null) context.AddRegions(otherRegions);
        return context;
    }

    // For callers that have already tokenised the structured identifiers: no second normalisation.
    internal static ScrubContext Prepare(string? defaultRegion, IEnumerable<ResolvedIdentifier> known, string? caseReference, string? caseToken)
    {
        var context = new ScrubContext(string.IsNullOrWhiteSpace(defaultRegion) ? null : defaultRegion.Trim().ToUpperInvariant());
        foreach (var (item, normalised, token) in known)
        {
            context.Add(Tokeniser.TypeOf(token)!, item, normalised, token);
        }
        if (caseReference is not null && caseToken is not null) context.AddLoose(caseReference, IdentifierTypes.CaseReference, caseToken);
        return context;
    }

    /// <summary>Scrubs one text, preparing <paramref name="known"/> for it alone.</summary>
    public ScrubResult Scrub(string text, string? defaultRegion, IEnumerable<KnownIdentifier>? known = null) =>
        Scrub(text, Prepare(defaultRegion, known));

    /// <summary>Scrubs one text against a prepared submission context.</summary>
    public ScrubResult Scrub(string text, ScrubContext context) => Apply(text, AcceptedHits(text, context));

    /// <summary>
    /// The spans <see cref="Scrub(string, ScrubContext)"/> replaces, in text order, without replacing them:
    /// for measuring the scrubber against annotated text.
    /// </summary>
    internal IReadOnlyList<ScrubSpan> FindSpans(string text, ScrubContext context) =>
        AcceptedHits(text, context).Select(h => new ScrubSpan(h.Start, h.Length, h.Type)).ToList();

    // The recognisers read the folded text (TextFolding); the hits are spans of the original, which is what is replaced,
    // with any invisible character inside them.
    private List<Hit> AcceptedHits(string text, ScrubContext context)
    {
        ArgumentNullException.ThrowIfNull(text);
        var folded = TextFolding.Fold(text, out var map);
        var hits = Accept(folded, FindHits(folded, context));
        if (map is null) return hits;
        // A hit takes the dropped characters right before and after it too: the first half of a mathematical digit, the
        // marks of a keycap digit.
        // Hits are in text order; one that meets the previous one starts where that ends.
        var previousEnd = 0;
        for (var i = 0; i < hits.Count; i++)
        {
            var start = Math.Max(previousEnd, hits[i].Start == 0 ? 0 : map[hits[i].Start - 1] + 1);
            hits[i] = hits[i] with { Start = start, Length = map[hits[i].End] - start };
            previousEnd = hits[i].End;
        }
        return hits;
    }

    private List<Hit> FindHits(string text, ScrubContext context)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(context);
        var hits = new List<Hit>();
        FindKnownExact(text, context, hits);
        FindKnownLoose(text, context, hits);
        // Names, places and addresses read the same words: they are found once.
        using var words = new WordPass(text);
        FindNames(text, words, context, hits);
        FindPeople(text, words, context, hits);
        FindPlaces(text, words, hits);
        // Cheap pre-checks spare the pattern scans on the many texts that cannot contain their target.
        var hasAt = text.Contains('@');
        if (hasAt) FindEmails(text, context, hits);
        FindSpeltEmails(text, context, hits);
        FindProfileLinks(text, context, hits);
        if (hasAt || text.Contains(':') || text.Contains('=')) FindHandles(text, context, hits);
        if (text.AsSpan().IndexOfAnyInRange('0', '9') >= 0)
        {
            FindIbans(text, context, hits);
            FindCards(text, context, hits);
            FindWallets(text, context, hits);
            FindPhones(text, context, hits);
            FindContext(text, words, context, hits);
            FindNationalNumbers(text, context, hits);
            FindAddresses(text, words, hits);
        }
        return hits;
    }

    // Label: the placeholder text of a hit without a token ("place:IT"); the type itself when absent ("dob", "address").
    // Ordered as Accept takes them: longest first, then the more trustworthy source, then the earlier span. The order
    // is part of the type (rather than a comparison delegate) so that the sort calls it directly.
    private readonly record struct Hit(int Start, int Length, string Type, string? Token, int Priority, string? Label = null) : IComparable<Hit>
    {
        public int End => Start + Length;

        // Two recognisers may read the very same span at the same priority (a phone whose digits pass a card's check): the
        // type, then the token, decide, so the outcome never depends on the order the hits were found in.
        public int CompareTo(Hit other) => Length != other.Length ? other.Length.CompareTo(Length)
            : Priority != other.Priority ? Priority.CompareTo(other.Priority)
            : Start != other.Start ? Start.CompareTo(other.Start)
            : string.CompareOrdinal(Type, other.Type) is var byType and not 0 ? byType : string.CompareOrdinal(Token, other.Token);
    }

    private static List<Hit> Accept(string text, List<Hit> hits)
    {
        if (hits.Count == 0) return hits;
        // Longest span wins an overlap; ties go to the more trustworthy source, then to the earlier span (Hit's order).
        hits.Sort();
        // A text has few hits: checking each against those already accepted is cheaper than a per-character map.
        // Accepted hits never overlap, so they are kept in text order by inserting each where it starts.
        var accepted = new List<Hit>();
        List<Hit>? overlapped = null;
        foreach (var hit in hits)
        {
            if (hit.Length <= 0) continue;
            var at = InsertionPoint(accepted, hit);
            if (at >= 0) accepted.Insert(at, hit);
            else (overlapped ??= []).Add(hit);
        }
        if (overlapped is not null) Widen(accepted, overlapped);
        return accepted;
    }

    // A hit that lost an overlap may reach outside the hit that won it ("Toliinyk81@wp.pl. About EUR 3400": the e-mail
    // and a street read from "pl. About EUR 3400"). Dropping it would leave its outer part in clear, so the winner is
    // widened to cover it, keeping the winner's type and token, and merged with any accepted hit the widening meets.
    private static void Widen(List<Hit> accepted, List<Hit> overlapped)
    {
        foreach (var lost in overlapped)
        {
            var first = accepted.FindIndex(a => lost.Start < a.End && a.Start < lost.End);
            if (first < 0) continue;
            var start = Math.Min(accepted[first].Start, lost.Start);
            var end = Math.Max(accepted[first].End, lost.End);
            var last = first;
            while (last + 1 < accepted.Count && accepted[last + 1].Start < end)
            {
                last++;
                end = Math.Max(end, accepted[last].End);
            }
            var winner = accepted[first];
            for (var i = first; i <= last; i++)
                if (accepted[i].Length > winner.Length) winner = accepted[i];
            if (start == winner.Start && end == winner.End && first == last) continue;
            accepted.RemoveRange(first, last - first + 1);
            accepted.Insert(first, winner with { Start = start, Length = end - start });
        }
    }

    // Where hit goes among the accepted hits (in text order), or -1 when it overlaps one of them.
    private static int InsertionPoint(List<Hit> accepted, Hit hit)
    {
        var at = accepted.Count;
        for (var i = accepted.Count - 1; i >= 0; i--)
        {
            var a = accepted[i];
            if (hit.Start < a.End && a.Start < hit.End) return -1;
            if (a.Start > hit.Start) at = i;
        }
        return at;
    }

    private static ScrubResult Apply(string text, List<Hit> accepted)
    {
        if (accepted.Count == 0) return new ScrubResult(text, new Dictionary<string, int>(), []);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var tokens = new List<string>();
        var length = text.Length;
        foreach (var hit in accepted)
        {
            length += Placeholder(hit).Length + 2 - hit.Length;
            counts[hit.Type] = counts.GetValueOrDefault(hit.Type) + 1;
            // A text holds few distinct tokens: a list lookup is cheaper than a set.
            if (hit.Token is not null && !tokens.Contains(hit.Token)) tokens.Add(hit.Token);
        }
        // Written once into a string of the final length: no builder buffer, no copy.
        var scrubbed = string.Create(length, (text, accepted), static (span, state) =>
        {
            var (source, hits) = state;
            var position = 0;
            var at = 0;
            foreach (var hit in hits)
            {
                source.AsSpan(position, hit.Start - position).CopyTo(span[at..]);
                at += hit.Start - position;
                span[at++] = '[';
                var placeholder = Placeholder(hit);
                placeholder.CopyTo(span[at..]);
                at += placeholder.Length;
                span[at++] = ']';
                position = hit.End;
            }
            source.AsSpan(position).CopyTo(span[at..]);
        });
        return new ScrubResult(scrubbed, counts, tokens);
    }

    private static string Placeholder(Hit hit) => hit.Token ?? hit.Label ?? hit.Type;

    private static bool BoundaryBefore(string text, int start) => start == 0 || !char.IsLetterOrDigit(text[start - 1]);

    private static bool BoundaryAfter(string text, int end) => end >= text.Length || !char.IsLetterOrDigit(text[end]);

    // ---- Known structured identifiers, matched on their alphanumerics so any separators match ----

    // Separators a writer may put inside an identifier ("RO49 AAAA…", "B-123-ABC", "0721.234.567", "Str. X 5, Iasi").
    // A line break counts too: wrapped text and PDF extracts often break an identifier across two lines.
    private static bool IsSkippableSeparator(char ch) => ch is ' ' or '.' or ',' or '-' or '/' or '\t' or '(' or ')' or '\u00A0' or '\n' or '\r';

    private static void FindKnownExact(string text, ScrubContext context, List<Hit> hits)
    {
        foreach (var item in context.ExactItems)
        {
            var from = 0;
            while (from < text.Length)
            {
                var start = text.IndexOf(item.Value, from, StringComparison.OrdinalIgnoreCase);
                if (start < 0) break;
                from = start + 1;
                var end = start + item.Value.Length;
                if (!BoundaryBefore(text, start) || !BoundaryAfter(text, end)) continue;
                if (start > 0 && text[start - 1] == '@') start--;
                hits.Add(new Hit(start, end - start, item.Type, item.Token, KnownPriority));
            }
        }
    }

    // What an ASCII character becomes in the skeleton: its upper case (letters, digits), a break (\0), or nothing.
    private const char SkippedInSkeleton = '\uFFFF';

    private static readonly char[] _asciiSkeleton = BuildAsciiSkeleton();

    private static char[] BuildAsciiSkeleton()
    {
        var table = new char[128];
        for (var c = (char)0; c < 128; c++)
        {
            table[c] = char.IsLetterOrDigit(c) ? char.ToUpperInvariant(c) : IsSkippableSeparator(c) ? SkippedInSkeleton : '\0';
        }
        return table;
    }

    private static void FindKnownLoose(string text, ScrubContext context, List<Hit> hits)
    {
        if (context.LooseItems.Count == 0) return;
        // Skeleton of the text: upper-case alphanumerics with separators dropped; any other character becomes
        // a break (\0) so that no match can run across it. map[i] = index in text of skeleton char i.
        var skeletonBuffer = System.Buffers.ArrayPool<char>.Shared.Rent(text.Length);
        var map = System.Buffers.ArrayPool<int>.Shared.Rent(text.Length);
        try
        {
            var n = 0;
            for (var i = 0; i < text.Length; i++)
            {
                var ch = text[i];
                if (ch < 128)
                {
                    // ASCII, most of any text: one table read instead of the character-class tests.
                    var mapped = _asciiSkeleton[ch];
                    if (mapped == SkippedInSkeleton) continue;
                    skeletonBuffer[n] = mapped;
                    map[n++] = i;
                }
                else if (char.IsLetterOrDigit(ch))
                {
                    skeletonBuffer[n] = char.ToUpperInvariant(ch);
                    map[n++] = i;
                }
                else if (!IsSkippableSeparator(ch))
                {
                    skeletonBuffer[n] = '\0';
                    map[n++] = i;
                }
            }
            var s = skeletonBuffer.AsSpan(0, n);
            foreach (var item in context.LooseItems)
            {
                var from = 0;
                while (from < s.Length)
                {
                    var found = s[from..].IndexOf(item.Skeleton, StringComparison.Ordinal);
                    if (found < 0) break;
                    var at = from + found;
                    from = at + 1;
                    var start = map[at];
                    var end = map[at + item.Skeleton.Length - 1] + 1;
                    if (!BoundaryBefore(text, start) || !BoundaryAfter(text, end)) continue;
                    // Keep an international "+" with the number it belongs to.
                    if (start > 0 && text[start - 1] == '+') start--;
                    hits.Add(new Hit(start, end - start, item.Type, item.Token, KnownPriority));
                }
            }
        }
        finally
        {
            // Cleared: the skeleton holds the text's identifiers, which must not outlive the call in a shared pool.
            // Only its first text.Length characters were written (a pooled array is often longer).
            skeletonBuffer.AsSpan(0, Math.Min(text.Length, skeletonBuffer.Length)).Clear();
            System.Buffers.ArrayPool<char>.Shared.Return(skeletonBuffer);
            System.Buffers.ArrayPool<int>.Shared.Return(map);
        }
    }

    // ---- Known names: full, reordered, re-cased, without diacritics, or in part ----

    private static void FindNames(string text, in WordPass pass, ScrubContext context, List<Hit> hits)
    {
        if (context.NameParts.Count == 0) return;
        // Reused per thread: a narrative has a hundred words or more, and the list only holds positions and name parts.
        var words = _nameWords ??= new List<(int Start, int End, string Folded)>(256);
        words.Clear();
        foreach (var word in pass.Words)
        {
            // A name word starts at a letter: leading non-spacing marks are not part of it.
            var start = word.Start;
            if (word.HasMark)
            {
                while (start < word.End && !char.IsLetter(text[start])) start++;
                if (start == word.End) continue;
            }
            var end = word.End;
            // Only words that can be name parts are folded (allocation-free check first).
            if (end - start >= 2 && context.MightBeNamePart(text.AsSpan(start, end - start), pass.Lower(start, end), !word.NonAscii, out var folded))
                words.Add((start, end, folded));
            // A capitalised word that is a known part with an ending ("Popescului", "Kowalskiego", "Ioanei").
            else if (end - start >= ScrubContext.MinimumInflectedWord && char.IsUpper(text[start])
                     && context.MightBeInflectedNamePart(text.AsSpan(start, end - start), pass.Lower(start, end), !word.NonAscii, out folded))
                words.Add((start, end, folded));
            else
                words.Add((start, end, ""));
        }

        var w = 0;
        while (w < words.Count)
        {
            if (!context.NameParts.TryGetValue(words[w].Folded, out var candidates))
            {
                w++;
                continue;
            }
            // Extend the run over following parts of the same person, separated only by spaces, commas or hyphens.
            // The people the run may name: a name part is shared by few people, so a short list does (no set per hit).
            var names = _nameCandidates ??= new List<int>(8);
            names.Clear();
            names.AddRange(candidates);
            var runEnd = w;
            while (runEnd + 1 < words.Count
                   && IsNameGap(text, words[runEnd].End, words[runEnd + 1].Start)
                   && context.NameParts.TryGetValue(words[runEnd + 1].Folded, out var next)
                   && Overlaps(names, next))
            {
                names.RemoveAll(n => !next.Contains(n));
                runEnd++;
            }
            var single = words[w].Folded;
            // A capitalised common word ("Walker", "Taylor") is taken for the person: surnames are often words,
            // and a missed surname is a leak while an extra placeholder only costs readability.
            var accept = runEnd > w
                || (single.Length >= 3 && !CommonWords.Contains(single))
                || (single.Length >= 4 && char.IsUpper(text[words[w].Start]));
            if (accept)
            {
                var nameIndex = names.Min();
                hits.Add(new Hit(words[w].Start, words[runEnd].End - words[w].Start, IdentifierTypes.Name,
                    context.Names[nameIndex], KnownPriority));
            }
            w = runEnd + 1;
        }
        // The list holds folded name parts: they do not stay behind in the thread's list after the call.
        words.Clear();
    }

    [ThreadStatic] private static List<(int Start, int End, string Folded)>? _nameWords;
    [ThreadStatic] private static List<int>? _nameCandidates;

    private static bool Overlaps(List<int> names, List<int> next)
    {
        foreach (var n in names)
        {
            if (next.Contains(n)) return true;
        }
        return false;
    }

    private static bool IsNameGap(string text, int from, int to)
    {
        if (to - from > 3) return false;
        for (var i = from; i < to; i++)
        {
            if (text[i] is not (' ' or ',' or '-' or '\u00A0' or '\n' or '\r')) return false;
        }
        return true;
    }

    // ---- Validated pattern recognisers ----

    // Letters of any script in the local part and the domain ("ioana.mărginean@poştă.ro").
    private const string EmailDomain = @"@[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}\-]{0,61}[\p{L}\p{N}])?)*\.\p{L}{2,24}(?![\w\-])";
    private const string EmailPattern = @"(?<![\w.+\-])[\p{L}\p{N}][\p{L}\p{N}._%+\-]{0,63}" + EmailDomain;

    // The domain of an address whose local part is quoted ("ana popescu"@mail.ro), anchored at its '@'.
    [GeneratedRegex(@"\G" + EmailDomain)]
    private static partial Regex AnchoredEmailDomainRegex();

    // An e-mail address, anchored (\G): tried only where it is started.
    [GeneratedRegex(@"\G" + EmailPattern)]
    private static partial Regex AnchoredEmailRegex();

    // Longest local part the pattern accepts, plus its first character.
    private const int MaxLocalPart = 65;

    private void FindEmails(string text, ScrubContext context, List<Hit> hits)
    {
        // Every address holds exactly one '@', so the pattern is only started a local part's length before each '@'
        // instead of at every letter of the text; the matches are the same as a scan of the whole text.
        var position = 0;
        while (position < text.Length)
        {
            var at = text.IndexOf('@', position);
            if (at < 0) break;
            // The local part is the run of local-part characters right before the '@': no match starts before it.
            var start = at;
            while (start > position && at - start < MaxLocalPart && IsLocalPartChar(text[start - 1])) start--;
            // A match that starts between the local part's start and the '@' uses this '@' (an address holds one
            // '@' and its local part none); tried there alone, a failure does not scan on through the rest of the
            // text: the next '@' is searched for instead, which finds the same next match a scan would.
            Match? m = null;
            for (var p = start; p <= at; p++)
            {
                var attempt = AnchoredEmailRegex().Match(text, p);
                if (!attempt.Success) continue;
                m = attempt;
                break;
            }
            if (m is null)
            {
                position = at + 1;
                if (QuotedLocalPartStart(text, at) is { } quote && AnchoredEmailDomainRegex().Match(text, at) is { Success: true } domain)
                {
                    // A quoted local part may hold spaces and is kept as written (lower case) for its token: an address
                    // the structured part accepts has none, so there is no other spelling to agree with.
                    var end = domain.Index + domain.Length;
                    hits.Add(new Hit(quote, end - quote, IdentifierTypes.Email, TokenOf(context, IdentifierTypes.Email, text[quote..end].ToLowerInvariant()), PatternPriority));
                    position = end;
                }
                continue;
            }
            position = m.Index + m.Length;
            var normalised = Normalisers.Email(m.Value);
            if (normalised is null) continue;
            hits.Add(new Hit(m.Index, m.Length, IdentifierTypes.Email, TokenOf(context, IdentifierTypes.Email, normalised), PatternPriority));
        }
    }

    // Where the quoted local part ending right before the '@' at <paramref name="at"/> starts (its opening quote), or
    // null: at most 64 characters on one line, not empty, no other quote inside.
    private static int? QuotedLocalPartStart(string text, int at)
    {
        if (at < 3 || text[at - 1] != '"') return null;
        for (var i = at - 2; i >= 0 && at - 1 - i <= 65; i--)
        {
            var c = text[i];
            if (c is '\n' or '\r') return null;
            if (c == '"') return i < at - 2 ? i : null;
        }
        return null;
    }

    private static bool IsLocalPartChar(char c) => char.IsLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-';

    private const string HandleBody = @"[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?";
    private const string Platforms = "instagram|insta|ig|tiktok|snapchat|snap|telegram|facebook|fb|twitter|x|discord|roblox|tinder|badoo|vk|vkontakte|onlyfans|whatsapp|signal|viber";

    [GeneratedRegex(@"(?<![\w.@/])@(?<h>" + HandleBody + @")(?![\w@])")]
    private static partial Regex AtHandleRegex();

    // "instagram: maria_b", "on TikTok as @maria", "Snapchat username = maria".
    [GeneratedRegex(@"\G\b(?<p>" + Platforms + @")\b(?:\s+(?:account|profile|username|user|handle|id|page|name|as))?\s*(?:[:=]\s*(?<at>@)?|(?<at>@))(?<h>" + HandleBody + @")(?![\w@])", RegexOptions.IgnoreCase)]
    private static partial Regex PlatformHandleRegex();

    private void FindHandles(string text, ScrubContext context, List<Hit> hits)
    {
        // Every match holds a ':', '=' or '@' right after its platform word (and an optional word and spaces), so the
        // anchored pattern is tried only at the word starts from which such a character can be reached; separators
        // are taken in text order and the search resumes after each match, so the matches are those of a full scan.
        var position = 0;
        var separatorFrom = 0;
        while (separatorFrom < text.Length)
        {
            var next = text.AsSpan(separatorFrom).IndexOfAny(':', '=', '@');
            if (next < 0) break;
            var separator = separatorFrom + next;
            separatorFrom = separator + 1;
            Match? m = null;
            for (var p = EarliestHandleStart(text, position, separator); p < separator; p++)
            {
                if (!char.IsLetter(text[p]) || (p > 0 && (char.IsLetterOrDigit(text[p - 1]) || text[p - 1] == '_'))) continue;
                var attempt = PlatformHandleRegex().Match(text, p);
                if (!attempt.Success) continue;
                m = attempt;
                break;
            }
            if (m is null) continue;
            position = m.Index + m.Length;
            separatorFrom = Math.Max(separatorFrom, position);
            var h = m.Groups["h"];
            var at = m.Groups["at"];
            var start = at.Success ? at.Index : h.Index;
            var platform = CanonicalPlatform(m.Groups["p"].Value);
            var normalised = Normalisers.Handle(h.Value, platform);
            if (normalised is null) continue;
            hits.Add(new Hit(start, h.Index + h.Length - start, IdentifierTypes.Handle, TokenOf(context, IdentifierTypes.Handle, normalised), ContextPriority));
        }
        foreach (Match m in AtHandleRegex().Matches(text))
        {
            var bare = m.Groups["h"].Value.ToLowerInvariant();
            // No platform in sight: the same handle given in the structured part decides; otherwise "other".
            var token = context.KnownHandles.TryGetValue(bare, out var known) ? known
                : TokenOf(context, IdentifierTypes.Handle, Normalisers.Handle(bare, null)!);
            hits.Add(new Hit(m.Index, m.Length, IdentifierTypes.Handle, token, known is null ? PatternPriority : KnownPriority));
        }
    }

    // Walking back from a separator over spaces, a word, spaces and a word (the platform): no match that uses this
    // separator can start before the returned index.
    private static int EarliestHandleStart(string text, int from, int separator)
    {
        var i = separator;
        for (var part = 0; part < 2; part++)
        {
            while (i > from && char.IsWhiteSpace(text[i - 1])) i--;
            while (i > from && char.IsLetter(text[i - 1])) i--;
        }
        return i;
    }

    private static string CanonicalPlatform(string word) => word.ToLowerInvariant() switch
    {
        "insta" or "ig" => "instagram",
        "fb" => "facebook",
        "twitter" => "x",
        "snap" => "snapchat",
        "vkontakte" => "vk",
        var p => p,
    };

    // Anchored (\G): tried only at the places an IBAN can start.
    // Groups may be parted by one or two spaces, hyphens, dots or slashes, or a line break.
    [GeneratedRegex(@"\G(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:(?:[ \-./]{1,2}|[ ]?\r?\n)?[A-Za-z0-9]){10,32}")]
    private static partial Regex IbanCandidateRegex();

    // An account number is written in capitals or, typed in a hurry, in small letters, but not in both: "FK7590224. The flat
    // at" runs on into the next sentence, whatever its check digits say (they pass one time in 97).
    private static bool MixedCase(ReadOnlySpan<char> bban) => bban.IndexOfAnyInRange('a', 'z') >= 0 && bban.IndexOfAnyInRange('A', 'Z') >= 0;

    private void FindIbans(string text, ScrubContext context, List<Hit> hits)
    {
        var position = 0;
        while (position < text.Length)
        {
            // An IBAN starts with two letters and two digits: the pattern is tried at each such place only, not at
            // every letter, and after a miss the next such place is sought. No match can start elsewhere, so the
            // matches are those of a full scan.
            var candidate = NextIbanStart(text, position);
            if (candidate < 0) break;
            var m = IbanCandidateRegex().Match(text, candidate);
            if (!m.Success)
            {
                position = candidate + 1;
                continue;
            }
            // Resume just after a hit, not after the greedy match, so a second IBAN right behind is not swallowed.
            position = m.Index + 1;
            var length = IbanCheck.LengthFor(text.AsSpan(m.Index, 2));
            if (length is null) continue;
            // Take exactly the country's IBAN length of alphanumerics; the greedy pattern may have run on.
            var sb = new StringBuilder(length.Value);
            var end = m.Index;
            for (; end < m.Index + m.Length && sb.Length < length; end++)
            {
                if (char.IsAsciiLetterOrDigit(text[end])) sb.Append(char.ToUpperInvariant(text[end]));
            }
            if (sb.Length != length || !BoundaryAfter(text, end) || MixedCase(text.AsSpan(m.Index + 4, end - m.Index - 4))) continue;
            var iban = sb.ToString();
            if (!IbanCheck.IsValid(iban)) continue;
            hits.Add(new Hit(m.Index, end - m.Index, IdentifierTypes.Iban, TokenOf(context, IdentifierTypes.Iban, iban), PatternPriority));
            position = end;
        }
    }

    private static int NextIbanStart(string text, int from)
    {
        var i = from + 2;
        while (i < text.Length - 1)
        {
            var digit = text.AsSpan(i).IndexOfAnyInRange('0', '9');
            if (digit < 0) return -1;
            i += digit;
            if (i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]) && i - 2 >= from
                && char.IsAsciiLetter(text[i - 1]) && char.IsAsciiLetter(text[i - 2]))
                return i - 2;
            i++;
        }
        return -1;
    }

    [GeneratedRegex(@"(?<![\w\-])\d{2,6}(?:(?:[ \-./]{1,2}|[ ]?\r?\n)\d{2,6}){1,7}(?![\w])|(?<![\w\-])\d{13,19}(?![\w])")]
    private static partial Regex CardCandidateRegex();

    // Normalisers.Card of a run of the text read across line breaks, checked on the stack: a string is made only for
    // a valid card. Digits are kept; spaces, hyphens, dots, slashes and line breaks are skipped; anything else rejects the run.
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static string? CardIn(ReadOnlySpan<char> run)
    {
        Span<char> digits = stackalloc char[19];
        var n = 0;
        foreach (var ch in run)
        {
            if (char.IsAsciiDigit(ch))
            {
                if (n == digits.Length) return null;
                digits[n++] = ch;
            }
            else if (ch is not (' ' or '-' or '.' or '/' or '\n' or '\r'))
            {
                return null;
            }
        }
        // No payment card number starts with 0 (its first digit names the industry, 2 to 6 for payment cards); a run of
        // digits that does is an international number ("0034 630 551 330") that passes the Luhn check one time in ten.
        return n >= 13 && digits[0] != '0' && Luhn.IsValid(digits[..n]) ? new string(digits[..n]) : null;
    }

    private void FindCards(string text, ScrubContext context, List<Hit> hits)
    {
        foreach (var m in CardCandidateRegex().EnumerateMatches(text))
        {
            var groups = Groups(text, m.Index, m.Length);
            // Longest Luhn-valid run of groups from each starting group, so that neighbouring numbers neither
            // hide a card nor get merged into it; after a card, carry on behind it.
            var first = 0;
            while (first < groups.Count)
            {
                var found = false;
                for (var last = groups.Count - 1; last >= first; last--)
                {
                    var start = groups[first].Start;
                    var end = groups[last].End;
                    if (end - start < 13) break;
                    var card = CardIn(text.AsSpan(start, end - start));
                    if (card is null) continue;
                    hits.Add(new Hit(start, end - start, IdentifierTypes.Card, TokenOf(context, IdentifierTypes.Card, card), PatternPriority));
                    first = last + 1;
                    found = true;
                    break;
                }
                if (!found) first++;
            }
        }
    }

    [GeneratedRegex(@"(?<![\w])(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|[bB][cC]1[02-9ac-hj-np-zAC-HJ-NP-Z]{11,87}|0[xX][0-9a-fA-F]{40})(?![\w])")]
    private static partial Regex WalletCandidateRegex();

    private void FindWallets(string text, ScrubContext context, List<Hit> hits)
    {
        foreach (var m in WalletCandidateRegex().EnumerateMatches(text))
        {
            var wallet = Normalisers.Wallet(text.Substring(m.Index, m.Length));
            if (wallet is null) continue;
            hits.Add(new Hit(m.Index, m.Length, IdentifierTypes.Wallet, TokenOf(context, IdentifierTypes.Wallet, wallet), PatternPriority));
        }
    }

    // ---- Phones: digit runs with the usual separators, kept only when libphonenumber says they are valid ----

    [GeneratedRegex(@"(?<![\w+])\+?\(?\d[\d \t.\-/()\u00A0\r\n]{4,28}\d(?![\w])")]
    private static partial Regex PhoneCandidateRegex();

    // Dates, year ranges and "2023/114"-style references are digit runs that must never be read as phones.
    [GeneratedRegex(@"^(?:\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}|(?:19|20)\d\d\s?[\-/–]\s?\d{1,4}|\d{1,2}[./]\d{1,2}[./]?)$")]
    private static partial Regex NotAPhoneRegex();

    private void FindPhones(string text, ScrubContext context, List<Hit> hits)
    {
        foreach (var m in PhoneCandidateRegex().EnumerateMatches(text))
        {
            var groups = Groups(text, m.Index, m.Length);
            FindPhonesIn(text, groups, 0, groups.Count - 1, context, hits);
        }
    }

    // Tries the longest run of digit groups first; on a hit, what lies either side is searched the same way,
    // so "tel 0721 234 567 / 0722 345 678" gives two phones and "2023/114 0721 234 567" gives one.
    private void FindPhonesIn(string text, List<(int Start, int End)> groups, int lo, int hi, ScrubContext context, List<Hit> hits)
    {
        if (lo > hi) return;
        for (var size = hi - lo + 1; size >= 1; size--)
        {
            for (var first = lo; first + size - 1 <= hi; first++)
            {
                var last = first + size - 1;
                var start = groups[first].Start;
                var end = groups[last].End;
                var digits = CountDigits(text, start, end);
                // E.164 allows 15 digits; only an international "00" prefix adds two.
                if (digits < 7 || digits > (text[start] == '0' && text[start + 1] == '0' ? 17 : 15)) continue;
                // The other countries' formats are tried only on a whole run, not on every piece of it: pieces of a
                // longer digit run (a card, a reference) too often make a valid number somewhere.
                var e164 = ReadPhone(text.AsSpan(start, end - start), context, requireStrictFormat: true, otherRegions: first == lo && last == hi);
                if (e164 is null) continue;
                var (hitStart, hitEnd) = BalanceBrackets(text, start, end);
                hits.Add(new Hit(hitStart, hitEnd - hitStart, IdentifierTypes.Phone, TokenOf(context, IdentifierTypes.Phone, e164), PatternPriority));
                FindPhonesIn(text, groups, lo, first - 1, context, hits);
                FindPhonesIn(text, groups, last + 1, hi, context, hits);
                return;
            }
        }
    }

    // A phone's span with its brackets paired, so the placeholder leaves none behind: "(0721 234 567)" loses its opening
    // bracket to the text ("([phone])", not "[phone])"), "(0721) 234 567" keeps both in the hit, and "(+40) 721 234 567"
    // takes in the opening bracket just before it. The digits, and so the token, are the same either way.
    internal static (int Start, int End) BalanceBrackets(string text, int start, int end)
    {
        var open = 0;
        var unopened = 0;
        for (var i = start; i < end; i++)
        {
            if (text[i] == '(') open++;
            else if (text[i] == ')')
            {
                if (open > 0) open--;
                else unopened++;
            }
        }
        if (open > 0 && text[start] == '(' && open == 1) start++;
        if (unopened == 1 && start > 0 && text[start - 1] == '(') start--;
        return (start, end);
    }

    // E.164 of a phone written in text, or null. A number known from the structured part is recognised from its
    // digits alone (any of its usual spellings, even in its own country's national format) without parsing.
    // Strict mode wants an international or trunk prefix before an unknown national number is even parsed:
    // a bare digit run in prose is more often a reference than a phone, and parsing is the costly step.
    // The digit buffer is written before it is read (only its first n characters are used): no need to zero it.
    // The candidate stays a span until it has to be parsed: most are known numbers or fail the format check.
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static string? ReadPhone(ReadOnlySpan<char> candidate, ScrubContext context, bool requireStrictFormat, bool otherRegions = true)
    {
        var trimmed = candidate.Trim();
        if (context.KnownPhoneDigits.Count > 0)
        {
            // The digits are gathered on the stack and looked up as a span: no string per candidate.
            Span<char> digits = trimmed.Length <= 128 ? stackalloc char[trimmed.Length] : new char[trimmed.Length];
            var n = 0;
            foreach (var c in trimmed)
            {
                if (char.IsAsciiDigit(c)) digits[n++] = c;
            }
            if (context.KnownPhoneDigits.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(digits[..n], out var known)) return known;
        }
        // The format check is cheaper than the pattern; both only reject.
        var international = trimmed.StartsWith('+') || trimmed.StartsWith("00", StringComparison.Ordinal);
        var ownFormat = !requireStrictFormat || international || HasTrunkPrefix(trimmed, context.TrunkPrefix);
        otherRegions &= !international && context.OtherRegions.Count > 0;
        if (!ownFormat && !(otherRegions && OtherRegionsFormat(trimmed, context))) return null;
        // The pattern reads a line break as the space it stands for (its only whitespace is \s).
        if (NotAPhoneRegex().IsMatch(trimmed)) return null;
        // A number wrapped onto the next line is read as if the break were a space.
        var written = new string(trimmed).Replace('\n', ' ').Replace('\r', ' ');
        var e164 = ownFormat ? ParsePhone(written, context.DefaultRegion ?? "ZZ") : null;
        // "00" is the international prefix almost everywhere; where the region's own prefix differs (Nigeria: 009),
        // a "00" number in the text is still most likely international.
        if (e164 is null && context.DefaultRegion is not null && trimmed.StartsWith("00", StringComparison.Ordinal))
            e164 = ParsePhone(written, "ZZ");
        if (e164 is not null || !otherRegions) return e164;
        // A cross-border case quotes numbers in the national format of the other countries it names
        // ("her French number, 06 12 34 56 78"): each is tried in turn after the jurisdiction's own.
        foreach (var (region, trunk) in context.OtherRegions)
        {
            if (requireStrictFormat && !HasTrunkPrefix(trimmed, trunk)) continue;
            e164 = ParsePhone(written, region);
            if (e164 is not null) return e164;
        }
        return null;
    }

    private static bool OtherRegionsFormat(ReadOnlySpan<char> candidate, ScrubContext context)
    {
        foreach (var (_, trunk) in context.OtherRegions)
        {
            if (HasTrunkPrefix(candidate, trunk)) return true;
        }
        return false;
    }

    private static string? ParsePhone(string candidate, string region)
    {
        try
        {
            if (region == "ZZ" && candidate.StartsWith("00", StringComparison.Ordinal)) candidate = "+" + candidate[2..];
            if (region == "ZZ" && !StartsWithCountryCode(candidate)) return null;
            var number = _phoneUtil.Parse(candidate, region);
            return _phoneUtil.IsValidNumber(number) ? _phoneUtil.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    // With no region to fall back on, libphonenumber needs a plus and then a country calling code, and no calling code
    // starts with 0. It throws for anything else (INVALID_COUNTRY_CODE), and a thrown exception costs more than the parse:
    // zero-padded references ("no. 0000001234", read as "+000001234") made one per case. The start is found as it finds
    // it: the first plus sign or digit of any script.
    internal static bool StartsWithCountryCode(string candidate)
    {
        var plus = false;
        foreach (var c in candidate)
        {
            if (c is '+' or '\uFF0B') plus = true;
            else if (char.IsDigit(c)) return plus && char.GetNumericValue(c) != 0;
            // A letter may be a vanity digit: that is for libphonenumber to judge.
            else if (plus && char.IsLetter(c)) return true;
        }
        return false;
    }

    // Regions without a trunk prefix (e.g. Italy, Spain) write national numbers bare.
    private static bool HasTrunkPrefix(ReadOnlySpan<char> candidate, string trunkPrefix) =>
        trunkPrefix.Length == 0 || candidate.TrimStart('(').StartsWith(trunkPrefix, StringComparison.Ordinal);

    private static int CountDigits(string text, int start, int end)
    {
        var n = 0;
        for (var i = start; i < end; i++) if (char.IsAsciiDigit(text[i])) n++;
        return n;
    }

    // Splits a span into runs of non-separator characters ("+40", "(0721)", "234").
    private static List<(int Start, int End)> Groups(string text, int index, int length)
    {
        var groups = new List<(int, int)>();
        var i = index;
        var end = index + length;
        while (i < end)
        {
            while (i < end && text[i] is ' ' or '\t' or '.' or '-' or '/' or '\u00A0' or '\n' or '\r') i++;
            var start = i;
            while (i < end && text[i] is not (' ' or '\t' or '.' or '-' or '/' or '\u00A0' or '\n' or '\r')) i++;
            if (i > start) groups.Add((start, i));
        }
        return groups;
    }

    // ---- Context words: date of birth, documents, plates, phones that libphonenumber would not accept ----

    // English, and the months of the languages the cases are written in (Romanian, Italian, French, German, Spanish, and
    // Polish in the genitive a date uses).
    private const string Months = @"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?" +
        @"|ianuarie|februarie|martie|aprilie|mai|iunie|iulie|septembrie|octombrie|noiembrie|decembrie" +
        @"|gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre" +
        @"|janvier|f[ée]vrier|mars|avril|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre" +
        @"|januar|februar|m[äa]rz|april|juni|juli|august|september|oktober|november|dezember" +
        @"|enero|febrero|abril|mayo|junio|julio|septiembre|octubre|noviembre|diciembre" +
        @"|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|wrze[śs]nia|pa[źz]dziernika|listopada|grudnia)\.?";

    // "born on", "DOB", "date of birth is", "(b. 02.06.2008)", "birthday", and the words of the languages the cases are
    // written in: "născută la", "nata il", "née le", "geboren am", "nacida el", "urodzona". The date may come up to eight
    // words after its word ("born in a village near Iasi on 12.03.2009"), and be written with its month in Roman
    // numerals ("12.III.2009") or as a word between dashes or dots ("12-Mar-2009").
    [GeneratedRegex(@"\G\b(?:born(?:\s+on|\s+in)?|dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|birthday|b\.|n[ăa]scut[ăa]?(?:\s+(?:la|[îi]n|pe))?|nat[oa]\s+(?:il|nel)|n[ée]e?\s+le|geboren\s+am|nacid[oa]\s+el|urodzon[ya]|data\s+na[șşs]terii|data\s+di\s+nascita|date\s+de\s+naissance|geburtsdatum|fecha\s+de\s+nacimiento|data\s+urodzenia|geb\.|ur\.)(?:\s*[:,\-]\s*|\s+)(?:\p{L}+[:,]?\s+){0,8}?(?<d>\d{1,2}[./\-]\d{1,2}[./\-](?:\d{4}|\d{2})(?!\d)|\d{1,2}[./\- ](?:xii|xi|x|ix|viii|vii|vi|v|iv|iii|ii|i)[./\- ](?:\d{4}|\d{2})(?!\d)|\d{1,2}[./\-]" + Months + @"[./\-]?(?:\d{4}|\d{2})(?!\d)|\d{4}[./\-]\d{1,2}[./\-]\d{1,2}(?!\d)|\d{1,2}(?:st|nd|rd|th|er|\.)?\s+(?:of\s+|de\s+)?" + Months + @",?\s+(?:de\s+)?\d{4}|" + Months + @"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|" + Months + @"\s+\d{4})", RegexOptions.IgnoreCase)]
    private static partial Regex DateOfBirthRegex();

    // The value itself must be upper-case so that "passport was seized" is not taken for a number, or letters and then at
    // least five digits ("passport ab1234567"). The context words include the personal numbers of the countries the
    // cases come from (CNP, PESEL, codice fiscale, NIE, EGN, OIB, JMBG …), and a value may run to three groups.
    [GeneratedRegex(@"\G\b(?:passport|identity\s+card|id\s+card|identity\s+document|national\s+id|id|cnp|c\.n\.p\.?|pesel|codice\s+fiscale|nie|nif|dni|egn|oib|jmbg|personal\s+(?:identification\s+|id\s+)?(?:number|no|code)|national\s+(?:identification\s+|insurance\s+)?(?:number|no)|social\s+security\s+(?:number|no)|ssn|tax\s+(?:id|code|number))\b(?:\s+(?:no|nr|number|num)\b\.?)?(?:\s+(?:is|was)\b)?\s*[:#.,(]?\s*(?<v>(?-i:[A-Z0-9]{1,4}[\- ]?[A-Z0-9]{2,20}(?:[\- ][A-Z0-9]{2,20}){0,2})|(?-i:[a-z]{1,3}[0-9]{5,12})|(?-i:[a-z]{6}[0-9]{2}[a-z][0-9]{2}[a-z][0-9]{3}[a-z]))(?![\w])", RegexOptions.IgnoreCase)]
    private static partial Regex DocumentRegex();

    // Upper-case values, or the lower-case shape of a European plate ("b-123-abc"). "is" and "was" are the verb only in
    // lower case: in "registration IS 4920 LJ" the IS is the plate's county.
    [GeneratedRegex(@"\b(?:licen[cs]e\s+plates?|number\s+plates?|registration(?:\s+(?:number|plate))?|registered\s+as|plates?|reg\.)(?:\s+(?:no|nr|number)\b\.?)?(?:\s+(?-i:is|was)\b)?\s*[:#]?\s*(?<v>(?-i:[A-Z0-9]{1,4}(?:[\- ]?[A-Z0-9]{1,4}){0,3})|(?-i:[a-z]{1,3}[\- ]?[0-9]{2,4}[\- ]?[a-z]{2,3}))(?![\w])", RegexOptions.IgnoreCase)]
    private static partial Regex PlateRegex();

    // An identity card's series and number: "series RX no. 123456", "seria RX nr. 123456".
    [GeneratedRegex(@"\b(?:series|seria|serie)\s+(?!(?:of|de|di|du|da|and|si|și)\b)(?<s>[A-Za-z]{1,3})\s*,?\s*(?:(?:no|nr|n°|num(?:ber)?)\b\.?\s*)?(?<n>[0-9]{5,9})(?![\w])", RegexOptions.IgnoreCase)]
    private static partial Regex SeriesNumberRegex();

    [GeneratedRegex(@"\b(?:tel|telephone|phone|mobile|mob|cell|gsm|whatsapp)\b\.?(?:\s+(?:no|nr|number)\b\.?)?\s*[:#]?\s*(?<v>\+?\(?\d[\d \t.\-/()]{4,20}\d)(?![\w])", RegexOptions.IgnoreCase)]
    private static partial Regex PhoneContextRegex();

    // A person named in the text but not in the structured part: two to four capitalised words right after a word that
    // introduces a person ("the victim, Ana Ionescu,", "suspect Ion Popescu", "a man called Petru Rusu", "Mrs Elena Dinu",
    // "her daughter Maria Popescu"). A word may be in capitals (POPESCU), an initial (I. Popescu), O'Brien or McDonald,
    // and particles may stand between them (Jan van der Berg). Two words at least, so "the victim, Romanian," is prose;
    // a capitalised pair that is no name ("Border Police") is replaced too: an extra placeholder costs readability, a
    // missed name is a leak. One word alone is a name only after a title, "suspect", "defendant", "accused", "victim",
    // "witness", "named", "called", "alias" or a family word ("her daughter Maria"), and not a common word (see FindPeople).
    private const string NameWord = @"(?:\p{Lu}\.|\p{Lu}'\p{Lu}\p{Ll}+|(?:Mc|Mac)\p{Lu}\p{Ll}+|\p{Lu}\p{Ll}+|\p{Lu}{2,})";
    private const string NameParticles = @"(?:(?:van|von|der|den|de|la|le|du|da|di|del|della|dos|das|ter|ten)[ \t]+){0,2}";

    [GeneratedRegex(@"\G\b(?:(?<one>mr|mrs|ms|miss|dr|herr|frau|doamna|doamnei|domnul|signora|signor|sig|pani|pan|se[ñn]ora|se[ñn]or|madame|monsieur|mme|mlle)\b\.?|(?:(?<one>suspect|defendant|accused|victim|witness|named|called|alias|aka|daughter|son|mother|father|brother|sister|wife|husband|girlfriend|boyfriend|partner|cousin|niece|nephew|aunt|uncle)|victims|suspects|defendants|traffickers?|recruiters?|witnesses|offenders?|perpetrators?|girl|boy|woman|man)\b)(?:[ \t]*[,:][ \t]*|[ \t]+)[(""„“«]?(?-i:(?<v>" + NameWord + @"(?:(?:[ \t]+|-|')" + NameParticles + NameWord + @"){0,3}))(?=['’]s\b|(?![\w'’]))", RegexOptions.IgnoreCase)]
    private static partial Regex PersonContextRegex();

    private void FindPeople(string text, in WordPass words, ScrubContext context, List<Hit> hits)
    {
        foreach (var m in WordLedMatches(text, words, _personWords, PersonContextRegex()))
        {
            var v = m.Groups["v"];
            if (v.Value.Count(char.IsLetter) < 3) continue;
            if (IsSingleWord(v.Value))
            {
                // "Mrs Dinu", "the suspect Popescu"; not "the suspect Romanian", "the accused Will", "Dr. A.".
                var word = v.Value.ToLowerInvariant();
                if (!m.Groups["one"].Success || word.Length < 3 || CommonWords.Contains(word) || _notAloneNames.Contains(word)
                    || word.EndsWith("ian", StringComparison.Ordinal) || word.EndsWith("ean", StringComparison.Ordinal)
                    || word.EndsWith("ese", StringComparison.Ordinal) || word.EndsWith("ish", StringComparison.Ordinal)) continue;
            }
            if (Normalisers.Name(v.Value) is not { } name) continue;
            hits.Add(new Hit(v.Index, v.Length, IdentifierTypes.Name, TokenOf(context, IdentifierTypes.Name, name), ContextPriority));
            // "The suspects Ion Popescu, Vasile Rusu and Dan Stan": the names of a list go on after the first.
            for (var next = NextListedNameRegex().Match(text, v.Index + v.Length); next.Success; next = NextListedNameRegex().Match(text, next.Index + next.Length))
            {
                var listed = next.Groups["v"];
                if (Normalisers.Name(listed.Value) is not { } other) break;
                hits.Add(new Hit(listed.Index, listed.Length, IdentifierTypes.Name, TokenOf(context, IdentifierTypes.Name, other), ContextPriority));
            }
        }
    }

    // Capitalised words that follow "the victim", "her mother" or "a witness" in prose without being a name: days, months,
    // peoples and faiths ("the victim, Roma, …", "her mother Orthodox"). Demonyms in -ian, -ean, -ese and -ish are caught by
    // their ending.
    private static readonly HashSet<string> _notAloneNames = new(StringComparer.Ordinal)
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
        "july", "september", "october", "november", "december", "roma", "romani", "sinti", "muslim", "catholic",
        "orthodox", "protestant", "jewish", "greek", "thai", "czech", "slovak", "serb", "croat", "turk", "moldovan",
        "vietnamese", "nigerian", "eritrean", "afghan", "syrian", "iraqi", "kurd", "kurdish", "pakistani", "bangladeshi",
        "albanian", "kosovar", "ukrainian", "russian", "american", "british", "european", "unaccompanied", "minor",
    };

    // The next name of a list: after a comma or "and" (și, e, und, i, et, y), two to four name words.
    [GeneratedRegex(@"\G(?:[ \t]*,[ \t]*(?:(?:and|și|si|e|und|i|et|y)[ \t]+)?|[ \t]+(?:and|și|si|e|und|i|et|y)[ \t]+)(?-i:(?<v>" + NameWord + @"(?:(?:[ \t]+|-|')" + NameParticles + NameWord + @"){1,3}))(?=['’]s\b|(?![\w'’]))", RegexOptions.IgnoreCase)]
    private static partial Regex NextListedNameRegex();

    // The words the context patterns start with. A pattern with many leading words would be tried at nearly every letter
    // of a text; it is tried, anchored, only at the words of the text (already split for names and places) that are
    // among them. Every match starts with one of its pattern's words, so the matches are those of a full scan.
    private static readonly HashSet<string> _personWords = new(StringComparer.Ordinal)
    {
        "victim", "victims", "suspect", "suspects", "defendant", "defendants", "accused", "trafficker", "traffickers", "recruiter",
        "recruiters", "witness", "witnesses", "offender", "offenders", "perpetrator", "perpetrators", "named", "called", "alias",
        "aka", "mr", "mrs", "ms", "miss", "dr", "daughter", "son", "mother", "father", "brother", "sister", "wife", "husband",
        "girlfriend", "boyfriend", "partner", "cousin", "niece", "nephew", "aunt", "uncle", "girl", "boy", "woman", "man",
        "herr", "frau", "doamna", "doamnei", "domnul", "signora", "signor", "sig", "pani", "pan", "señora", "senora", "señor",
        "senor", "madame", "monsieur", "mme", "mlle",
    };

    private static readonly HashSet<string> _dateOfBirthWords = new(StringComparer.Ordinal)
    {
        "born", "dob", "d", "date", "birth", "birthdate", "birthday", "b", "născut", "născută", "nascut", "nascuta", "nata", "nato",
        "née", "nee", "ne", "né", "geboren", "nacido", "nacida", "urodzony", "urodzona", "data", "geburtsdatum", "fecha", "geb", "ur",
    };

    private static readonly HashSet<string> _documentWords = new(StringComparer.Ordinal)
    {
        "passport", "identity", "id", "national", "cnp", "c", "pesel", "codice", "nie", "nif", "dni", "egn", "oib", "jmbg", "personal",
        "social", "ssn", "tax",
    };

    // Matches of an anchored pattern (\G) tried at the words of the text that are among its leading words, in text order,
    // none overlapping.
    private static List<Match> WordLedMatches(string text, in WordPass pass, HashSet<string> leads, Regex anchored)
    {
        List<Match>? found = null;
        var lookup = leads.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> lowered = stackalloc char[16];
        var resume = 0;
        foreach (var word in pass.Words)
        {
            if (word.Start < resume || word.Length > lowered.Length) continue;
            scoped ReadOnlySpan<char> lower;
            if (!word.NonAscii) lower = pass.Lower(word.Start, word.End);
            else lower = lowered[..text.AsSpan(word.Start, word.Length).ToLowerInvariant(lowered)];
            if (!lookup.Contains(lower)) continue;
            var m = anchored.Match(text, word.Start);
            if (!m.Success || m.Length == 0) continue;
            (found ??= []).Add(m);
            resume = m.Index + m.Length;
        }
        return found ?? [];
    }

    private static bool IsSingleWord(string value) => !value.AsSpan().ContainsAny(" \t-'.");

    private void FindContext(string text, in WordPass words, ScrubContext context, List<Hit> hits)
    {
        foreach (var m in WordLedMatches(text, words, _dateOfBirthWords, DateOfBirthRegex()))
        {
            var d = m.Groups["d"];
            hits.Add(new Hit(d.Index, d.Length, DateOfBirthType, null, ContextPriority));
        }
        foreach (var m in WordLedMatches(text, words, _documentWords, DocumentRegex()))
        {
            AddAlphanumericHit(m.Groups["v"], IdentifierTypes.Document, context, hits);
        }
        foreach (Match m in PlateRegex().Matches(text))
        {
            AddAlphanumericHit(m.Groups["v"], IdentifierTypes.Plate, context, hits);
        }
        foreach (Match m in SeriesNumberRegex().Matches(text))
        {
            var core = m.Groups["s"].Value.ToUpperInvariant() + m.Groups["n"].Value;
            var token = context.KnownByCore.TryGetValue(IdentifierTypes.Document + "\n" + core, out var known) ? known : _tokeniser.Token(IdentifierTypes.Document, core);
            hits.Add(new Hit(m.Index, m.Length, IdentifierTypes.Document, token, ContextPriority));
        }
        foreach (Match m in PhoneContextRegex().Matches(text))
        {
            var v = m.Groups["v"];
            if (NotAPhoneRegex().IsMatch(v.Value.Trim())) continue;
            // After "tel." a number is a phone even if libphonenumber disagrees (old, foreign or mistyped):
            // it is still an identifier and must not stay raw.
            var e164 = ReadPhone(v.Value, context, requireStrictFormat: false);
            var value = e164 ?? (v.Value.TrimStart().StartsWith('+') ? "+" : "") + new string(v.Value.Where(char.IsAsciiDigit).ToArray());
            if (value.Count(char.IsAsciiDigit) < 6) continue;
            var (hitStart, hitEnd) = BalanceBrackets(text, v.Index, v.Index + v.Length);
            hits.Add(new Hit(hitStart, hitEnd - hitStart, IdentifierTypes.Phone, TokenOf(context, IdentifierTypes.Phone, value), ContextPriority));
        }
    }

    private void AddAlphanumericHit(Group v, string type, ScrubContext context, List<Hit> hits)
    {
        var core = Normalisers.AlphanumericCore(v.Value);
        // An ID-like value has digits; "ID card ISSUED" is prose.
        if (core.Length < 4 || !core.Any(char.IsAsciiDigit)) return;
        var token = context.KnownByCore.TryGetValue(type + "\n" + core, out var known) ? known : _tokeniser.Token(type, core);
        hits.Add(new Hit(v.Index, v.Length, type, token, ContextPriority));
    }

    // A value also given in the structured part keeps exactly the token it got there.
    private string TokenOf(ScrubContext context, string type, string normalised) =>
        context.KnownByValue.TryGetValue(type + "\n" + normalised, out var token) ? token : _tokeniser.Token(type, normalised);
}

/// <summary>The known items of one submission, prepared by <see cref="TextScrubber.Prepare"/>.</summary>
public sealed class ScrubContext
{
    internal ScrubContext(string? defaultRegion)
    {
        DefaultRegion = defaultRegion;
        TrunkPrefix = defaultRegion is null ? "" : _phoneUtil.GetNddPrefixForRegion(defaultRegion, true) ?? "";
    }

    internal string? DefaultRegion { get; }
    internal string TrunkPrefix { get; }
    /// <summary>The case's other countries, whose national phone formats are read after the default region's.</summary>
    internal List<(string Region, string TrunkPrefix)> OtherRegions { get; } = [];

    // At most this many: each costs a parse of every phone-shaped run the jurisdiction's own format rejects.
    private const int MaximumOtherRegions = 8;

    /// <summary>Adds countries the case names (route, citizenships, identifiers' countries) for reading national phone numbers.</summary>
    internal void AddRegions(IEnumerable<string?> regions)
    {
        foreach (var candidate in regions)
        {
            if (OtherRegions.Count >= MaximumOtherRegions) return;
            if (string.IsNullOrWhiteSpace(candidate) || candidate.Trim().Length != 2) continue;
            var region = candidate.Trim().ToUpperInvariant();
            if (region == DefaultRegion || OtherRegions.Exists(r => r.Region == region) || !_trunkPrefixes.TryGetValue(region, out var trunk)) continue;
            OtherRegions.Add((region, trunk));
        }
    }

    // Every region libphonenumber knows, with its trunk prefix: looked up per case, so read from its metadata once.
    private static readonly Dictionary<string, string> _trunkPrefixes = PhoneNumberUtil.GetInstance().GetSupportedRegions()
        .ToDictionary(r => r, r => PhoneNumberUtil.GetInstance().GetNddPrefixForRegion(r, true) ?? "", StringComparer.Ordinal);
    internal Dictionary<string, string> KnownPhoneDigits { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, string> KnownByValue { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, string> KnownByCore { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, string> KnownHandles { get; } = new(StringComparer.Ordinal);
    internal List<(string Skeleton, string Type, string Token)> LooseItems { get; } = [];
    internal List<(string Value, string Type, string Token)> ExactItems { get; } = [];
    internal List<string> Names { get; } = [];
    internal Dictionary<string, List<int>> NameParts { get; } = new(StringComparer.Ordinal);

    private static readonly PhoneNumberUtil _phoneUtil = PhoneNumberUtil.GetInstance();

    // Shortest alphanumeric skeleton matched loosely; shorter ones would hit ordinary words and numbers.
    private const int MinimumSkeleton = 4;

    // True with the folded word when it may be a known name part. ASCII words are checked without allocating;
    // others (diacritics, special letters) are folded first.
    // lower: the word lower-cased (its lookup key when it is ASCII).
    internal bool MightBeNamePart(ReadOnlySpan<char> word, ReadOnlySpan<char> lower, bool ascii, out string folded)
    {
        folded = "";
        if (ascii && !MayStartNamePart(lower[0])) return false;
        if (!ascii)
        {
            folded = NameFolding.FoldWord(word);
            if (NameParts.ContainsKey(folded)) return true;
            // A name known in Latin letters, written here in Cyrillic (or known in Cyrillic and given here in another
            // Cyrillic spelling): any of the word's usual Latin spellings.
            foreach (var spelling in CyrillicSpellings.Of(word))
            {
                if (!NameParts.ContainsKey(spelling)) continue;
                folded = spelling;
                return true;
            }
            return false;
        }
        if (!NameParts.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(lower, out var key, out _)) return false;
        folded = key;
        return true;
    }

    // Case and possessive endings (folded) of the languages the cases are written in: English, Romanian, Polish,
    // Hungarian, German, the Slavic and Baltic languages, Italian and Spanish plurals.
    private static readonly HashSet<string> _endings = new(StringComparer.Ordinal)
    {
        "s", "a", "e", "i", "o", "u", "y", "ei", "ii", "ui", "ul", "lui", "ului", "ego", "emu", "iej", "em", "om", "ow", "owi",
        "ie", "nak", "nek", "nal", "nel", "hoz", "hez", "val", "vel", "ra", "re", "ba", "be", "ban", "ben", "t", "at", "et",
        "ot", "ov", "ova", "ovi", "es", "en", "ens", "er", "n", "as", "is", "us", "ai",
    };

    /// <summary>Shortest known part that is recognised with an ending, and the longest ending.</summary>
    internal const int MinimumInflectedStem = 4;
    internal const int MaximumEnding = 4;
    internal const int MinimumInflectedWord = MinimumInflectedStem + 1;

    /// <summary>
    /// Whether a word is a known name part of at least <see cref="MinimumInflectedStem"/> letters followed by an ending
    /// of one to <see cref="MaximumEnding"/> letters: the cases and possessives of the languages the cases are written
    /// in ("Popescului", "Ioanei", "Kowalskiego", "Nagynak", "Popescus"). <paramref name="folded"/> is the known part.
    /// </summary>
    internal bool MightBeInflectedNamePart(ReadOnlySpan<char> word, ReadOnlySpan<char> lower, bool ascii, out string folded)
    {
        folded = "";
        if (ascii && (!MayStartNamePart(lower[0]) || !_partStarts.GetAlternateLookup<ReadOnlySpan<char>>().Contains(lower[..3]))) return false;
        var whole = ascii ? lower : NameFolding.FoldWord(word).AsSpan();
        if (whole.Length < MinimumInflectedWord || !_partStarts.GetAlternateLookup<ReadOnlySpan<char>>().Contains(whole[..3])) return false;
        var lookup = NameParts.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> withVowel = stackalloc char[whole.Length];
        for (var ending = 1; ending <= MaximumEnding && whole.Length - ending >= MinimumInflectedStem - 1; ending++)
        {
            // Only the endings of cases and possessives: "March" is not Marc with an "h".
            if (!_endings.GetAlternateLookup<ReadOnlySpan<char>>().Contains(whole[^ending..])) continue;
            var stem = whole[..^ending];
            // One letter more makes many other names of a name (Marin, Marina): a one-letter ending needs a longer part.
            if (stem.Length >= (ending == 1 ? MinimumInflectedStem + 1 : MinimumInflectedStem) && lookup.TryGetValue(stem, out var key, out _))
            {
                folded = key;
                return true;
            }
            // A part whose last vowel the Romanian genitive replaces: Ioana → Ioanei, Maria → Mariei (not Mario, Marie).
            if (!whole[^ending..].SequenceEqual("ei")) continue;
            stem.CopyTo(withVowel);
            foreach (var vowel in "aeo")
            {
                withVowel[stem.Length] = vowel;
                if (!lookup.TryGetValue(withVowel[..(stem.Length + 1)], out key, out _)) continue;
                folded = key;
                return true;
            }
        }
        return false;
    }

    // The first three letters of every known name part: most capitalised words of a text start otherwise, and are
    // passed over without trying the endings.
    private readonly HashSet<string> _partStarts = new(StringComparer.Ordinal);

    // First letters (a-z) of the known name parts, one bit each; all bits set once a part starts otherwise.
    private uint _namePartFirstLetters;

    // False when no known name part starts with this lower-case ASCII character: the lookup is spared.
    private bool MayStartNamePart(char c) => (uint)(c - 'a') >= 26 || (_namePartFirstLetters & (1u << (c - 'a'))) != 0;

    internal void Add(string type, KnownIdentifier item, string? normalised, string token)
    {
        if (normalised is not null) KnownByValue[type + "\n" + normalised] = token;
        // Read as the normalisers and the recognisers read it: an invisible or full-width character is not looked for.
        var value = IdentifierFolding.Fold(item.Value);
        switch (type)
        {
            case IdentifierTypes.Name:
                AddName(value, token);
                return;
            case IdentifierTypes.Phone:
                AddPhone(item, normalised, token);
                break;
            case IdentifierTypes.Handle:
                var bare = value.Trim().TrimStart('@').ToLowerInvariant();
                KnownHandles.TryAdd(bare, token);
                break;
            case IdentifierTypes.Document or IdentifierTypes.Plate:
                KnownByCore.TryAdd(type + "\n" + Normalisers.AlphanumericCore(value), token);
                break;
        }
        if (type is IdentifierTypes.Email or IdentifierTypes.Handle or IdentifierTypes.Wallet)
        {
            // Their exact text is distinctive; skipping separators inside them would also match prose ("john.doe"
            // against "John Doe"). A short handle of letters only, or one that is a common word, is left to the
            // @-recogniser: alone it is just a word ("rose"); a longer one ("mariabee") is a handle wherever it stands.
            var exact = value.Trim().TrimStart('@');
            if (type != IdentifierTypes.Handle || !exact.All(char.IsLetter) || (exact.Length >= 6 && !CommonWords.Contains(exact.ToLowerInvariant())))
                AddExact(exact, type, token);
        }
        else
        {
            AddLoose(value, type, token);
        }
    }

    internal void AddLoose(string value, string type, string token)
    {
        var skeleton = Normalisers.AlphanumericCore(IdentifierFolding.Fold(value));
        if (skeleton.Length < MinimumSkeleton) return;
        if (!LooseItems.Contains((skeleton, type, token))) LooseItems.Add((skeleton, type, token));
    }

    private void AddExact(string value, string type, string token)
    {
        if (value.Length < MinimumSkeleton) return;
        if (!ExactItems.Contains((value, type, token))) ExactItems.Add((value, type, token));
    }

    private void AddPhone(KnownIdentifier item, string? e164, string token)
    {
        if (e164 is null) return;
        // The same number in its other usual spellings: international with or without 00, national with or
        // without the trunk prefix of its own country.
        string nsn, trunk;
        if (!TrySplitE164(e164, out nsn, out trunk))
        {
            var number = _phoneUtil.Parse(e164, "ZZ");
            nsn = _phoneUtil.GetNationalSignificantNumber(number);
            trunk = _phoneUtil.GetNddPrefixForRegion(_phoneUtil.GetRegionCodeForNumber(number), true) ?? "";
        }
        var international = e164[1..];
        AddPhoneDigits(international, e164, token);
        AddPhoneDigits("00" + international, e164, token);
        AddPhoneDigits(trunk.Length == 0 ? nsn : trunk + nsn, e164, token);
        AddPhoneDigits(nsn, e164, token);
    }

    // Digits only: the string is its own skeleton.
    private void AddPhoneDigits(string digits, string e164, string token)
    {
        KnownPhoneDigits.TryAdd(digits, e164);
        if (digits.Length >= MinimumSkeleton && !LooseItems.Contains((digits, IdentifierTypes.Phone, token)))
            LooseItems.Add((digits, IdentifierTypes.Phone, token));
    }

    // Trunk (national dialling) prefix by country calling code, for the codes whose regions all share one prefix.
    private static readonly Lazy<Dictionary<int, string>> _trunkByCountryCode = new(() =>
    {
        var byCode = new Dictionary<int, string?>();
        foreach (var region in _phoneUtil.GetSupportedRegions())
        {
            var code = _phoneUtil.GetCountryCodeForRegion(region);
            var trunk = _phoneUtil.GetNddPrefixForRegion(region, true) ?? "";
            if (!byCode.TryGetValue(code, out var known)) byCode[code] = trunk;
            else if (known != trunk) byCode[code] = null;
        }
        return byCode.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!);
    });

    // Splits a valid E.164 number into its national significant number and its country's trunk prefix without
    // parsing it again: E.164 is "+" + country code + national significant number, and country codes are
    // prefix-free. False (the caller parses) for codes not covered by the table.
    private static bool TrySplitE164(string e164, out string nsn, out string trunk)
    {
        nsn = trunk = "";
        if (e164.Length < 3 || e164[0] != '+') return false;
        var table = _trunkByCountryCode.Value;
        var code = 0;
        for (var length = 1; length <= 3 && length < e164.Length - 1; length++)
        {
            var digit = e164[length];
            if (!char.IsAsciiDigit(digit)) return false;
            code = code * 10 + (digit - '0');
            if (table.TryGetValue(code, out var t))
            {
                nsn = e164[(length + 1)..];
                trunk = t;
                return true;
            }
        }
        return false;
    }

    // The spelling of a name without its letters' marks in German and Nordic use: Müller is also written Mueller,
    // Sørensen Soerensen, Åsen Aasen (folding alone gives Muller, Sorensen, Asen).
    private static string Transliterated(string value)
    {
        var sb = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                'ä' => "ae", 'Ä' => "Ae", 'ö' => "oe", 'Ö' => "Oe", 'ü' => "ue", 'Ü' => "Ue", 'ø' => "oe", 'Ø' => "Oe",
                'å' => "aa", 'Å' => "Aa", 'æ' => "ae", 'Æ' => "Ae", 'œ' => "oe", 'Œ' => "Oe",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    // A name given in its spelling without marks, as folding reads the spelling with them: Mueller → Muller, Soerensen → Sorensen.
    private static string Unspelt(string value)
    {
        if (value.IndexOf("ue", StringComparison.OrdinalIgnoreCase) < 0 && value.IndexOf("oe", StringComparison.OrdinalIgnoreCase) < 0
            && value.IndexOf("ae", StringComparison.OrdinalIgnoreCase) < 0 && value.IndexOf("aa", StringComparison.OrdinalIgnoreCase) < 0)
            return value;
        return value.Replace("ue", "u", StringComparison.OrdinalIgnoreCase).Replace("oe", "o", StringComparison.OrdinalIgnoreCase)
            .Replace("ae", "a", StringComparison.OrdinalIgnoreCase).Replace("aa", "a", StringComparison.OrdinalIgnoreCase);
    }

    private static readonly char[] NameSeparators = [' ', '-', ',', '.', '\'', '’', '\t', '\n', '\r', '\u00A0'];

    private void AddName(string value, string token)
    {
        var index = Names.IndexOf(token);
        if (index < 0)
        {
            Names.Add(token);
            index = Names.Count - 1;
        }
        var parts = NameFolding.FoldWords(value);
        // Both spellings of a name with marks: given as Müller, also Mueller; given as Mueller, also Müller (which folds to Muller).
        var other = Ascii.IsValid(value) ? Unspelt(value) : Transliterated(value);
        if (!ReferenceEquals(other, value))
            foreach (var spelt in NameFolding.FoldWords(other))
                if (!parts.Contains(spelt)) parts.Add(spelt);
        // A name given in Cyrillic is also found in its Latin spellings (Петренко: Petrenko), and its own Cyrillic words
        // through theirs when the narrative spells them another way.
        if (CyrillicSpellings.Contains(value))
        {
            foreach (var word in value.Split(NameSeparators, StringSplitOptions.RemoveEmptyEntries))
                foreach (var spelling in CyrillicSpellings.Of(word))
                    if (!parts.Contains(spelling)) parts.Add(spelling);
        }
        foreach (var word in parts)
        {
            // Single letters are initials; matching them alone would scrub every "a" and "I".
            if (word.Length < 2) continue;
            _namePartFirstLetters |= (uint)(word[0] - 'a') < 26 ? 1u << (word[0] - 'a') : uint.MaxValue;
            if (word.Length >= 3) _partStarts.Add(word[..3]);
            if (!NameParts.TryGetValue(word, out var list)) NameParts[word] = list = [];
            if (!list.Contains(index)) list.Add(index);
        }
    }
}
