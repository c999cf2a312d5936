using Analytics.Core.Pseudonymisation;

namespace Analytics.Core.Tests.Pseudonymisation;

// The e-mail and IBAN patterns are tried only at their possible starts; a miss must not hide a later match.
public class TextScrubberScanTests
{
    private readonly Tokeniser _tokeniser = TestKeys.Tokeniser();
    private readonly TextScrubber _scrubber;

    public TextScrubberScanTests() => _scrubber = new TextScrubber(_tokeniser);

    private string T(string type, string normalised) => "[" + _tokeniser.Token(type, normalised) + "]";

    [Fact]
    public void Scrub_FindsEmail_AfterAnAtThatStartsNoAddress()
    {
        var result = _scrubber.Scrub("Seen at 5 @ the station, later wrote from ana.pop@mail.example.org again.", "RO");

        Assert.Equal($"Seen at 5 @ the station, later wrote from {T("email", "ana.pop@mail.example.org")} again.", result.Text);
        Assert.Equal(1, result.Counts["email"]);
    }

    [Fact]
    public void Scrub_FindsIban_AfterACandidateThatIsNoIban()
    {
        var result = _scrubber.Scrub("Code XY12, then paid to RO49 AAAA 1B31 0075 9384 0000 twice.", "RO");

        Assert.Equal($"Code XY12, then paid to {T("iban", "RO49AAAA1B31007593840000")} twice.", result.Text);
        Assert.Equal(1, result.Counts["iban"]);
    }

    // Card runs are checked on the stack: a card wrapped onto the next line (CRLF) is still one card, and a run of
    // more than 19 digits is none (its first four groups are the card, the fifth stays).
    [Fact]
    public void Scrub_FindsCard_WrappedOntoTheNextLine_AndNotInATooLongRun()
    {
        var result = _scrubber.Scrub("Paid with 4111 1111\r\n1111 1111 at night; ref 4111 1111 1111 1111 1111 later.", "RO");

        Assert.Equal($"Paid with {T("card", "4111111111111111")} at night; ref {T("card", "4111111111111111")} 1111 later.", result.Text);
        Assert.Equal(2, result.Counts["card"]);
    }
}
