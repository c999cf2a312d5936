using System.Text.Json;

namespace Analytics.Api.Tests.Infrastructure;

/// <summary>Hand-written case records with known identifiers, for tests that need to find (or not find) them.</summary>
public static class SampleCases
{
    public const string VictimName = "Ioana Mărginean";
    public const string SuspectName = "Cristian Dobrescu";
    public const string Phone = "+40 721 234 567";
    public const string Email = "c.dobrescu.recruit@example.com";
    public const string Iban = "RO49AAAA1B31007593840000";

    public static string Json(string jurisdiction = "RO", string authority = "RO-PROSECUTOR", string reference = "DIICOT/2024/00017",
        string phone = Phone, int age = 15, string summary = "")
    {
        var record = new Dictionary<string, object?>
        {
            ["schemaVersion"] = "1",
            ["jurisdiction"] = jurisdiction,
            ["authority"] = authority,
            ["caseReference"] = reference,
            ["stage"] = "investigation",
            ["offencePeriod"] = new { from = "2023-03-14", to = "2023-11-02" },
            ["victims"] = new[]
            {
                new { name = VictimName, age, gender = "female", citizenship = "RO", vulnerabilities = new[] { "in-care" }, identifiedBy = "law-enforcement" },
            },
            ["suspects"] = new[]
            {
                new
                {
                    name = SuspectName, role = "recruiter", age = 27, gender = "male", citizenship = "RO", relationToVictim = "intimate-partner",
                    identifiers = new object[] { new { type = "phone", value = phone }, new { type = "email", value = Email } },
                },
            },
            ["modusOperandi"] = new
            {
                recruitmentChannels = new[] { "social-media" },
                meansOfControl = new[] { "psychological-abuse", "threats" },
                exploitationTypes = new[] { "sexual" },
            },
            ["route"] = new[] { new { from = "RO", to = "HU", transport = "car" }, new { from = "HU", to = "IT", transport = "car" } },
            ["exploitationCountries"] = new[] { "IT" },
            ["financialFlows"] = new[] { new { amountBand = "1000-9999", channel = "bank-transfer", identifiers = new[] { new { type = "iban", value = Iban } } } },
            ["summary"] = summary.Length > 0 ? summary
                : $"The victim {VictimName} was contacted by {SuspectName} on Instagram. Dobrescu called her from {phone} and wrote to {Email}; payments went to {Iban[..4]} {Iban[4..8]} {Iban[8..12]} {Iban[12..16]} {Iban[16..20]} {Iban[20..]}. In 2023 she was moved to Milan.",
        };
        return JsonSerializer.Serialize(record, new JsonSerializerOptions(JsonSerializerDefaults.Web));
    }
}
