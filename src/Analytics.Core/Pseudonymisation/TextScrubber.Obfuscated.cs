using System.Text;
using System.Text.RegularExpressions;

namespace Analytics.Core.Pseudonymisation;

// Identifiers written so that a plain pattern misses them: e-mail addresses spelt out ("ana.popescu [at] mail [dot] ro",
// "ana.popescu at yahoo.com") and profile links ("instagram.com/ana_pop08", "t.me/jobs_italia", "wa.me/40721234567").
public sealed partial class TextScrubber
{
    // Top-level domains a spelt-out address is taken to end with: the generic ones and the European countries'. With
    // "at" written as a word, an address must end with one of them, so that prose ("met him at home.Then") is left alone.
    private const string KnownTopLevelDomains =
        "com|net|org|info|biz|eu|io|me|co|tv|app|online|email|mail|" +
        "ad|al|am|at|az|ba|be|bg|by|ch|cy|cz|de|dk|ee|es|fi|fr|ge|gr|hr|hu|ie|is|it|li|lt|lu|lv|mc|md|me|mk|mt|nl|no|pl|pt|ro|rs|ru|se|si|sk|sm|tr|ua|uk|va|xk";

    private const string SpeltAt = @"(?:\s*[\[\(\{]\s*at\s*[\]\)\}]\s*|\s+at\s+|\s+@\s*|\s*@\s+|\s*%40\s*)";
    private const string SpeltDot = @"(?:\s*[\[\(\{]\s*dot\s*[\]\)\}]\s*|\s+dot\s+|\.)";

    // Anchored (\G): tried only where a local part ends right before an "at".
    [GeneratedRegex(@"\G(?<![\p{L}\p{N}.+\-_%])(?<local>[\p{L}\p{N}][\p{L}\p{N}._+\-]{0,63})" + SpeltAt +
        @"(?<domain>[\p{L}\p{N}][\p{L}\p{N}\-]{0,62}(?:" + SpeltDot + @"[\p{L}\p{N}][\p{L}\p{N}\-]{0,62})*)" + SpeltDot +
        @"(?<tld>" + KnownTopLevelDomains + @")(?![\p{L}\p{N}\-])", RegexOptions.IgnoreCase)]
    private static partial Regex SpeltEmailRegex();

    [GeneratedRegex(@"\s*(?:[\[\(\{]\s*dot\s*[\]\)\}]|\s+dot\s+)\s*", RegexOptions.IgnoreCase)]
    private static partial Regex SpeltDotRegex();

    // Where an "at" is spelt: found with one vectorised search, not a pattern tried at every space.
    private static readonly System.Buffers.SearchValues<string> _speltAts = System.Buffers.SearchValues.Create(
        [" at ", " at\n", "\nat ", " at\t", "\tat ", "[at", "(at", "{at", "[ at", "( at", "{ at", "@", "%40"], StringComparison.OrdinalIgnoreCase);

    // A '.' inside the next word, or a "dot" among the next few characters.
    private static bool DotAhead(ReadOnlySpan<char> after)
    {
        after = after.TrimStart();
        var space = after.IndexOfAny(' ', '\n', '\t');
        var word = space < 0 ? after : after[..space];
        // A domain in prose is written in lower case: "at Rome.It was late" is a sentence without its space.
        var dot = word.IndexOf('.');
        return (dot > 0 && dot < word.Length - 1 && !char.IsUpper(word[dot + 1])) || after.Contains("dot", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsSpeltLocalChar(char c) => char.IsLetterOrDigit(c) || c is '.' or '_' or '+' or '-';

    // An address spelt out with "at"/"dot" (in brackets or as words), with spaces around its '@', or with '%40'. The
    // pattern is started only at the local part before each "at" (the word run that ends where the spaces before it
    // begin), so prose costs a check per "at", not a pattern at every word.
    private void FindSpeltEmails(string text, ScrubContext context, List<Hit> hits)
    {
        var resume = 0;
        var from = 0;
        while (from < text.Length)
        {
            var found = text.AsSpan(from).IndexOfAny(_speltAts);
            if (found < 0) break;
            var end = from + found;
            from = end + 1;
            if (end < resume) continue;
            // "at" as a word starts an address only when a dot (or "dot") follows in the next word or two: most are prose.
            if (text[end] is ' ' or '\n' or '\t' && !DotAhead(text.AsSpan(end + 3, Math.Min(40, text.Length - end - 3)))) continue;
            while (end > resume && char.IsWhiteSpace(text[end - 1])) end--;
            var start = end;
            while (start > resume && end - start < 64 && IsSpeltLocalChar(text[start - 1])) start--;
            if (start == end) continue;
            var m = SpeltEmailRegex().Match(text, start);
            if (!m.Success) continue;
            resume = m.Index + m.Length;
            var domain = SpeltDotRegex().Replace(m.Groups["domain"].Value, ".");
            var address = m.Groups["local"].Value + "@" + domain + "." + m.Groups["tld"].Value;
            var normalised = Normalisers.Email(address) ?? address.ToLowerInvariant();
            hits.Add(new Hit(m.Index, m.Length, IdentifierTypes.Email, TokenOf(context, IdentifierTypes.Email, normalised), PatternPriority));
        }
    }

    // A profile or chat link: the platform's own domain, then the handle ("instagram.com/maria.b2008",
    // "https://www.tiktok.com/@maria", "t.me/jobs_italia_ro"). A WhatsApp link (wa.me) holds a phone number.
    // The whole link is replaced, up to the next space, bracket or quote: "profile.php?id=1000123", "people/Ana-Popescu/1000…"
    // and "stories/ana_pop08/…" hold the person too. Any subdomain (www., m., web., vm.) is part of it.
    [GeneratedRegex(@"(?<![\w.])(?:https?://)?(?:[a-z0-9-]+\.)*?(?<site>instagram\.com|instagr\.am|tiktok\.com|t\.me|telegram\.me|facebook\.com|fb\.com|m\.me|twitter\.com|x\.com|snapchat\.com/add|vk\.com|ok\.ru|onlyfans\.com|discord\.gg|linkedin\.com/in|youtube\.com|whatsapp\.com/send\?phone=|wa\.me)/?@?(?<h>[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,38}[A-Za-z0-9_])?)(?<rest>[^\s""'()<>\[\]]*)", RegexOptions.IgnoreCase)]
    private static partial Regex ProfileLinkRegex();

    private void FindProfileLinks(string text, ScrubContext context, List<Hit> hits)
    {
        if (!text.Contains(".com/", StringComparison.OrdinalIgnoreCase) && !text.Contains(".me/", StringComparison.OrdinalIgnoreCase)
            && !text.Contains(".am/", StringComparison.OrdinalIgnoreCase) && !text.Contains(".gg/", StringComparison.OrdinalIgnoreCase)
            && !text.Contains(".ru/", StringComparison.OrdinalIgnoreCase)) return;
        foreach (Match m in ProfileLinkRegex().Matches(text))
        {
            var site = m.Groups["site"].Value.ToLowerInvariant();
            var handle = m.Groups["h"].Value;
            // A link's trailing full stop or comma ends the sentence, not the link.
            var length = m.Length;
            while (length > 0 && text[m.Index + length - 1] is '.' or ',' or ';' or ':' or '!' or '?') length--;
            // Where the person is named further along ("profile.php?id=1000123"), the whole link is the identifier.
            if (m.Groups["rest"].Length > 0 && site is not ("wa.me" or "whatsapp.com/send?phone="))
                handle = text.Substring(m.Groups["h"].Index, m.Index + length - m.Groups["h"].Index);
            if (site is "wa.me" or "whatsapp.com/send?phone=")
            {
                if (!handle.All(char.IsAsciiDigit)) continue;
                var e164 = ReadPhone(("+" + handle).AsSpan(), context, requireStrictFormat: false);
                hits.Add(new Hit(m.Index, length, IdentifierTypes.Phone,
                    e164 is null ? TokenOf(context, IdentifierTypes.Phone, "+" + handle) : TokenOf(context, IdentifierTypes.Phone, e164), ContextPriority));
                continue;
            }
            var platform = site switch
            {
                "instagram.com" or "instagr.am" => "instagram",
                "tiktok.com" => "tiktok",
                "t.me" or "telegram.me" => "telegram",
                "facebook.com" or "fb.com" or "m.me" => "facebook",
                "twitter.com" or "x.com" => "x",
                "snapchat.com/add" => "snapchat",
                "discord.gg" => "discord",
                "linkedin.com/in" => "linkedin",
                _ => site[..site.IndexOf('.')],
            };
            var known = context.KnownHandles.TryGetValue(handle.ToLowerInvariant(), out var token) ? token : null;
            hits.Add(new Hit(m.Index, length, IdentifierTypes.Handle,
                known ?? TokenOf(context, IdentifierTypes.Handle, Normalisers.Handle(handle, platform) ?? platform + "/" + handle.ToLowerInvariant()),
                known is null ? ContextPriority : KnownPriority));
        }
    }
}
