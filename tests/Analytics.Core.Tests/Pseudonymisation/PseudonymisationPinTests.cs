using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Analytics.Core.Cases;
using Analytics.Core.Pseudonymisation;
using Analytics.Core.Synthetic;

namespace Analytics.Core.Tests.Pseudonymisation;

/// <summary>
/// Pins the whole output of <see cref="CasePseudonymiser"/> (stored record, tokens, counts) on generated cases, so
/// that a faster implementation cannot change a single token or scrubbed character unnoticed. The expected digests
/// were computed with the implementation as it stood before the pseudonymisation speed-ups.
/// </summary>
public class PseudonymisationPinTests
{
    private static readonly DateOnly Reference = new(2024, 6, 1);

    // Shared: the generator is the slow part, and both tests read the same cases.
    private static readonly Lazy<IReadOnlyList<CaseSubmission>> _cases = new(() =>
        new CaseGenerator(new GeneratorOptions { Seed = 11, Count = 300 }).Generate().Select(g => g.Case).ToList());

    [Fact]
    public void Generated_cases_pseudonymise_to_the_pinned_output_under_one_key()
    {
        var digest = Digest(new CasePseudonymiser(new KeyRing(TestKeys.K1)), _cases.Value);
        Assert.Equal("0e88bc63124bbe5cca494c962a74d6ce831b3423b8f878e7d6edc314144bccce", digest);
    }

    [Fact]
    public void Generated_cases_pseudonymise_to_the_pinned_output_under_a_key_chain_and_another_jurisdiction()
    {
        // The benchmark's shape: every case filed by one jurisdiction, tokens chained through two keys.
        var cases = _cases.Value.Take(100).Select(c => c with { Jurisdiction = "RO", Authority = "RO-PIN" }).ToList();
        var digest = Digest(new CasePseudonymiser(new KeyRing(TestKeys.K1, TestKeys.K2)), cases);
        Assert.Equal("f36c93004206199d23f0a3af6630e77bb32dc81f2ec104f3a245ce4f60ccd980", digest);
    }

    [Fact]
    public void A_scrubbed_summary_is_pinned_character_for_character()
    {
        var result = new CasePseudonymiser(new KeyRing(TestKeys.K1)).Pseudonymise(_cases.Value[3], Reference);
        Assert.Equal(Summary3, result.Record.Summary);
    }

    private const string Summary3 =
        """
        Between March 2022 and June 2023, [name:4esyihb2ju4azek2edogcvxccy], a national of Moldova born on [dob], was recruited within the family by [name:gmwsokkgwnrowtgtdwpa34axdm], a relative. Two further victims, [name:ghmgwapghu5kvppq2vlnajlykq] and [name:ctqc7rrdcafwdqb3qnscjx5ixe], were identified in the same proceedings. [name:gmwsokkgwnrowtgtdwpa34axdm] contacted the victim using the phone number [phone:l6fkm3vipd5l72cysntsgt3hxe] and the e-mail address [email:sckcsay6hdz3sk5ejti7rxbx6a]. Messages were exchanged with the account [handle:6tpmax2zseutkhyne4iv52iene] on Viber. [name:4esyihb2ju4azek2edogcvxccy] was taken by car from [place:MD] (Moldova) via Romania and Hungary to Germany. There he was subjected to the removal of organs, controlled through false promises and restricts movement. About EUR 33,000 was transferred to the account IBAN [iban:j5v7cbybgfh7zktvylmttmc3ny]. The case was registered under no. [caseref:cqvg47mgaiuiwaaceutktegm4a] in 2022; a request for mutual legal assistance was sent to Moldova.
        """;

    private static string Digest(CasePseudonymiser pseudonymiser, IEnumerable<CaseSubmission> cases)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var c in cases)
        {
            var result = pseudonymiser.Pseudonymise(c, Reference);
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(result.Record, CaseGenerator.JsonOptions));
            hash.AppendData(Encoding.UTF8.GetBytes(string.Join(",", result.Tokens)));
            foreach (var counts in new[] { result.TokenCounts, result.ScrubbedCounts, result.UnvalidatedCounts })
            {
                hash.AppendData(Encoding.UTF8.GetBytes("|" + string.Join(",", counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))));
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
