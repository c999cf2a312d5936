using System.Net;
using System.Text.Json;
using Analytics.Api.Privacy;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Core.Privacy;
using Analytics.Data.ApiKeys;
using Xunit.Abstractions;

namespace Analytics.Api.Tests.Privacy;

public sealed class PrivacyReportTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Report_GivesExactRisk_OnHandMadeDataset()
    {
        using var factory = new AnalyticsFactory();
        var prosecutor = await factory.ProsecutorAsync("RO");
        var steward = await factory.ClientForAsync(Roles.Steward);
        // Classes of size 1, 2 and 3; every case is exploited in IT from 2023.
        await SubmitAsync(prosecutor, "PRIV/1", new { age = 15, gender = "female", citizenship = "RO" });
        await SubmitAsync(prosecutor, "PRIV/2", new { age = 10, gender = "male", citizenship = "MD" }, new { age = 11, gender = "male", citizenship = "MD" });
        await SubmitAsync(prosecutor, "PRIV/3", new { age = 16 }, new { age = 17 }, new { age = 15 });
        // A withdrawn case would join the class of size 1; it must not count.
        var withdrawn = await (await SubmitAsync(prosecutor, "PRIV/4", new { age = 15, gender = "female", citizenship = "RO" })).ReadAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.NoContent, (await prosecutor.DeleteAsync("/api/v1/cases/" + withdrawn.GetProperty("caseId").GetString())).StatusCode);

        var response = await steward.GetAsync("/api/v1/privacy/report?k=2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.ReadAsync<PrivacyReport>();
        var risk = report.Risk;
        Assert.Equal("victim", report.Unit);
        Assert.Equal(3, report.Cases);
        Assert.Equal(6, risk.Records);
        Assert.Equal(3, risk.Classes);
        Assert.Equal(1, risk.SmallestClassSize);
        Assert.Equal(1, risk.KAchieved);
        Assert.False(risk.SatisfiesK);
        Assert.Equal(1, risk.RecordsBelowK);
        Assert.Equal(1.0 / 6, risk.ShareOfRecordsBelowK, 9);
        Assert.Equal(1.0, risk.Prosecutor.HighestRisk, 9);
        Assert.Equal(3.0 / 6, risk.Prosecutor.AverageRisk, 9);
        Assert.Equal(1.0 / 6, risk.Prosecutor.RecordsAtRisk, 9);
        Assert.Equal(0.5, risk.Prosecutor.Threshold, 9);
        Assert.Equal(risk.Prosecutor, risk.Journalist);
        Assert.Equal(0.5, risk.MarketerRisk, 9);
        Assert.Equal([("1", 1, 1L), ("2-4", 2, 5L), ("5-9", 0, 0L), ("10+", 0, 0L)], risk.ClassSizes.Select(b => (b.Size, b.Classes, b.Records)));
        output.WriteLine(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Report_IsPlausible_OnGeneratedData()
    {
        using var factory = new AnalyticsFactory();
        await factory.SeedGeneratedAsync(400);
        var steward = await factory.ClientForAsync(Roles.Steward);

        var report = await (await steward.GetAsync("/api/v1/privacy/report")).ReadAsync<PrivacyReport>();
        var risk = report.Risk;

        Assert.Equal(400, report.Cases);
        Assert.Equal(10, risk.K);
        Assert.True(risk.Records >= 400);
        Assert.InRange(risk.Classes, 2, (int)risk.Records);
        Assert.Equal(1.0 / risk.SmallestClassSize, risk.Prosecutor.HighestRisk, 9);
        Assert.Equal((double)risk.Classes / risk.Records, risk.Prosecutor.AverageRisk, 9);
        Assert.Equal(risk.Prosecutor.AverageRisk, risk.MarketerRisk, 9);
        Assert.InRange(risk.ShareOfRecordsBelowK, 0.0, 1.0);
        Assert.Equal(risk.Classes, risk.ClassSizes.Sum(b => b.Classes));
        Assert.Equal(risk.Records, risk.ClassSizes.Sum(b => b.Records));
        Assert.Equal(risk.RecordsBelowK, risk.ClassSizes.Where(b => b.Size != "10+").Sum(b => b.Records));
        Assert.Equal(risk.Prosecutor, risk.Journalist);
        output.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    }

    [Fact]
    public async Task Report_ReturnsProblemNamingK_ForInvalidK()
    {
        using var factory = new AnalyticsFactory();
        var steward = await factory.ClientForAsync(Roles.Steward);
        var response = await steward.GetAsync("/api/v1/privacy/report?k=0");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("/k", out _), errors.ToString());
    }

    [Fact]
    public void Summarise_CountsMissingValuesAsTheirOwnClass()
    {
        var risk = new ReidentificationRisk();
        risk.Add(new QuasiIdentifiers("15-17", "female", "RO", "IT", "2023"));
        risk.Add(new QuasiIdentifiers("15-17", QuasiIdentifiers.Unknown, "RO", "IT", "2023"));
        risk.Add(new QuasiIdentifiers("15-17", QuasiIdentifiers.Unknown, "RO", "IT", "2023"));

        var summary = risk.Summarise(2);

        Assert.Equal(2, summary.Classes);
        Assert.Equal(1, summary.ClassesBelowK);
        Assert.Equal(1.0 / 3, summary.ShareOfRecordsBelowK, 9);
    }

    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient prosecutor, string reference, params object[] victims)
    {
        var response = await prosecutor.SubmitCaseAsync(AuditTestHelpers.CaseWithVictims(reference, victims));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response;
    }
}
