using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Api.Cases;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Cases;

public sealed class CasesApiTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public CasesApiTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task Submit_ReturnsReceiptWithTokenCounts_ForValidCase()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-SUBMIT");
        var response = await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-SUBMIT"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var receipt = await response.ReadAsync<Receipt>();
        Assert.Equal("created", receipt.Status);
        Assert.Equal(64, receipt.RecordSha256.Length);
        Assert.False(string.IsNullOrEmpty(receipt.KeyId));
        Assert.Equal(1, receipt.Tokens["phone"]);
        Assert.Equal(1, receipt.Tokens["iban"]);
        Assert.True(receipt.Scrubbed.Values.Sum() >= 4, "names, phone, e-mail and IBAN in the summary are scrubbed");
        Assert.EndsWith(receipt.CaseId, response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Get_FindsTheCase_ByItsIdInUpperCase()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-UPPER");
        var receipt = await (await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-UPPER"))).ReadAsync<Receipt>();

        var response = await client.GetAsync($"/api/v1/cases/{receipt.CaseId.ToUpperInvariant()}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(receipt.RecordSha256, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_ReturnsPseudonymisedRecord_ForOwnCase()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-READ");
        var receipt = await (await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-READ"))).ReadAsync<Receipt>();

        var response = await client.GetAsync($"/api/v1/cases/{receipt.CaseId}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(body).RootElement;
        Assert.Equal(receipt.RecordSha256, document.GetProperty("recordSha256").GetString());
        var record = document.GetProperty("record");
        Assert.StartsWith("caseref:", record.GetProperty("caseReferenceToken").GetString());
        Assert.Equal("15-17", record.GetProperty("victims")[0].GetProperty("ageBand").GetString());
        Assert.Equal("2023-03", record.GetProperty("periodFrom").GetString());
        Assert.DoesNotContain("Dobrescu", body);
        Assert.DoesNotContain("Mărginean", body);
        Assert.DoesNotContain("721 234 567", body);
        Assert.DoesNotContain("721234567", body);
        Assert.DoesNotContain("DIICOT/2024", body);
    }

    [Fact]
    public async Task Submit_UpdatesNotDuplicates_WhenSameReferenceResubmitted()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-RESUBMIT");
        var first = await (await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-RESUBMIT", age: 14))).ReadAsync<Receipt>();
        var replay = await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-RESUBMIT", age: 14));
        var corrected = await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-RESUBMIT", age: 16));

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var replayed = await replay.ReadAsync<Receipt>();
        Assert.Equal("unchanged", replayed.Status);
        Assert.Equal(first.CaseId, replayed.CaseId);
        var update = await corrected.ReadAsync<Receipt>();
        Assert.Equal("updated", update.Status);
        Assert.Equal(first.CaseId, update.CaseId);
        Assert.Equal(2, update.Version);
        var list = await (await client.GetAsync("/api/v1/cases")).ReadAsync<CaseList>();
        Assert.Single(list.Items);
    }

    [Fact]
    public async Task Put_CorrectsCase_AndRejectsDifferentReference()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-PUT");
        var receipt = await (await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-PUT", age: 12))).ReadAsync<Receipt>();

        var put = await client.PutAsync($"/api/v1/cases/{receipt.CaseId}", new StringContent(SampleCases.Json(authority: "RO-PUT", age: 9), Encoding.UTF8, "application/json"));
        var other = await client.PutAsync($"/api/v1/cases/{receipt.CaseId}", new StringContent(SampleCases.Json(authority: "RO-PUT", reference: "OTHER/1"), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("updated", (await put.ReadAsync<Receipt>()).Status);
        var stored = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{receipt.CaseId}")).RootElement;
        Assert.Equal("9-11", stored.GetProperty("record").GetProperty("victims")[0].GetProperty("ageBand").GetString());
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
    }

    [Fact]
    public async Task Delete_WithdrawsCase_AndLeavesActiveCount()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-WITHDRAW");
        var receipt = await (await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-WITHDRAW"))).ReadAsync<Receipt>();

        var response = await client.DeleteAsync($"/api/v1/cases/{receipt.CaseId}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var document = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{receipt.CaseId}")).RootElement;
        Assert.Equal("withdrawn", document.GetProperty("status").GetString());

        // A correction sent after the withdrawal does not restore it; a new submission does.
        var late = await client.PutAsync($"/api/v1/cases/{receipt.CaseId}",
            new StringContent(SampleCases.Json(authority: "RO-WITHDRAW"), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("application/problem+json", late.Content.Headers.ContentType?.MediaType);
        Assert.Equal("withdrawn", JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{receipt.CaseId}")).RootElement.GetProperty("status").GetString());
        var again = await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-WITHDRAW"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("active", JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{receipt.CaseId}")).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Put_DoesNotRestoreACase_WithdrawnWhileTheCorrectionWaitedToBeWritten()
    {
        var client = await _factory.ProsecutorAsync("RO", "RO-PUTRACE");
        var receipt = await (await client.SubmitCaseAsync(SampleCases.Json(authority: "RO-PUTRACE", age: 12))).ReadAsync<Receipt>();

        // The write gate is held while both requests start: the withdrawal reaches it first, the correction (which has
        // already read the case as active) after it, and each is written in that order when the gate opens.
        var gate = _factory.Services.GetRequiredService<Analytics.Data.Database.Db>().WriteGate;
        await gate.WaitAsync(CancellationToken.None);
        Task<HttpResponseMessage> withdraw, correct;
        try
        {
            withdraw = client.DeleteAsync($"/api/v1/cases/{receipt.CaseId}");
            await Task.Delay(500);
            correct = client.PutAsync($"/api/v1/cases/{receipt.CaseId}",
                new StringContent(SampleCases.Json(authority: "RO-PUTRACE", age: 9), Encoding.UTF8, "application/json"));
            await Task.Delay(500);
        }
        finally
        {
            gate.Release();
        }

        Assert.Equal(HttpStatusCode.NoContent, (await withdraw).StatusCode);
        var corrected = await correct;
        Assert.Equal(HttpStatusCode.Conflict, corrected.StatusCode);
        Assert.Equal("application/problem+json", corrected.Content.Headers.ContentType?.MediaType);
        var stored = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{receipt.CaseId}")).RootElement;
        Assert.Equal("withdrawn", stored.GetProperty("status").GetString());
        Assert.Equal("12-14", stored.GetProperty("record").GetProperty("victims")[0].GetProperty("ageBand").GetString());
    }

    [Fact]
    public async Task Get_ReturnsNotFound_ForAnotherAuthoritysCase()
    {
        var owner = await _factory.ProsecutorAsync("RO", "RO-OWNER");
        var sameCountry = await _factory.ProsecutorAsync("RO", "RO-OTHER");
        var otherCountry = await _factory.ProsecutorAsync("IT", "IT-OTHER");
        var receipt = await (await owner.SubmitCaseAsync(SampleCases.Json(authority: "RO-OWNER"))).ReadAsync<Receipt>();

        Assert.Equal(HttpStatusCode.NotFound, (await sameCountry.GetAsync($"/api/v1/cases/{receipt.CaseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherCountry.GetAsync($"/api/v1/cases/{receipt.CaseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherCountry.DeleteAsync($"/api/v1/cases/{receipt.CaseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/v1/cases/{receipt.CaseId}")).StatusCode);
    }

    [Fact]
    public async Task Submit_RejectsWithPointer_WhenSubmittingForAnotherJurisdiction()
    {
        var client = await _factory.ProsecutorAsync("IT", "IT-WRONG");
        var response = await client.SubmitCaseAsync(SampleCases.Json(jurisdiction: "RO", authority: "RO-PROSECUTOR"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("/jurisdiction", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("/authority", out _));
    }

    [Theory]
    [InlineData(Roles.Analyst)]
    [InlineData(Roles.Steward)]
    public async Task Submit_IsForbidden_ForOtherRoles(string role)
    {
        var client = await _factory.ClientForAsync(role);
        var response = await client.SubmitCaseAsync(SampleCases.Json());
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Submit_IsUnauthorized_WithoutOrWithBadKey()
    {
        var anonymous = _factory.CreateClient();
        var forged = _factory.CreateClient();
        forged.DefaultRequestHeaders.Add("X-Api-Key", "ak_000000000000.not-a-real-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SubmitCaseAsync(SampleCases.Json())).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.SubmitCaseAsync(SampleCases.Json())).StatusCode);
    }
}

public sealed class CrossBorderTokenTests : IClassFixture<AnalyticsFactory>
{
    private readonly AnalyticsFactory _factory;

    public CrossBorderTokenTests(AnalyticsFactory factory) => _factory = factory;

    [Fact]
    public async Task Submit_GivesSamePhoneToken_ForOneNumberWrittenDifferentlyInTwoJurisdictions()
    {
        var romania = await _factory.ProsecutorAsync("RO", "RO-LINK");
        var italy = await _factory.ProsecutorAsync("IT", "IT-LINK");
        var a = await (await romania.SubmitCaseAsync(SampleCases.Json("RO", "RO-LINK", "RO/1", phone: "+40 721 234 567"))).ReadAsync<Receipt>();
        var b = await (await italy.SubmitCaseAsync(SampleCases.Json("IT", "IT-LINK", "IT/1", phone: "0040721234567"))).ReadAsync<Receipt>();
        var c = await (await italy.SubmitCaseAsync(SampleCases.Json("IT", "IT-LINK", "IT/2", phone: "+40 721 234 568"))).ReadAsync<Receipt>();

        var tokenA = await PhoneTokenAsync(romania, a.CaseId);
        var tokenB = await PhoneTokenAsync(italy, b.CaseId);
        var tokenC = await PhoneTokenAsync(italy, c.CaseId);

        Assert.StartsWith("phone:", tokenA);
        Assert.Equal(tokenA, tokenB);
        Assert.NotEqual(tokenA, tokenC);
    }

    private static async Task<string> PhoneTokenAsync(HttpClient client, string caseId)
    {
        var document = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/cases/{caseId}")).RootElement;
        return document.GetProperty("record").GetProperty("suspects")[0].GetProperty("tokens").EnumerateArray()
            .Select(t => t.GetString()!).Single(t => t.StartsWith("phone:", StringComparison.Ordinal));
    }
}
