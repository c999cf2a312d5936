using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Errors;

/// <summary>
/// What a careless or hostile client sends to the routes other than case submission: each gets a 400 problem that names
/// the parameter or the JSON Pointer of the field, never a 500, never a silently ignored or clamped value.
/// </summary>
public sealed class BadRequestTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private static async Task<Dictionary<string, string[]>> ProblemFieldsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        return errors.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("/api/v1/insights/emerging?alpha=NaN", "/alpha")]
    [InlineData("/api/v1/insights/emerging?alpha=Infinity", "/alpha")]
    [InlineData("/api/v1/insights/emerging?alpha=0.5", "/alpha")]
    [InlineData("/api/v1/insights/emerging?recentMonths=0", "/recentMonths")]
    [InlineData("/api/v1/insights/emerging?baselineMonths=1000", "/baselineMonths")]
    [InlineData("/api/v1/insights/emerging?format=xml", "/format")]
    [InlineData("/api/v1/insights/summary?format=xml", "/format")]
    [InlineData("/api/v1/insights/routes?from=0000", "/from")]
    [InlineData("/api/v1/insights/routes?from=2024&to=2020", "/to")]
    [InlineData("/api/v1/insights/routes?format=pdf", "/format")]
    [InlineData("/api/v1/patterns?to=0000", "/to")]
    [InlineData("/api/v1/patterns?page=2147483647", "/page")]
    [InlineData("/api/v1/patterns?page=0", "/page")]
    [InlineData("/api/v1/patterns?pageSize=1000", "/pageSize")]
    [InlineData("/api/v1/patterns?format=xml", "/format")]
    [InlineData("/api/v1/insights/routes?limit=abc", "/limit")]
    [InlineData("/api/v1/insights/emerging?recentMonths=3.5", "/recentMonths")]
    [InlineData("/api/v1/insights/routes?limit=0", "/limit")]
    public async Task AnalystQueries_NameTheBadParameter(string url, string field)
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var fields = await ProblemFieldsAsync(await analyst.GetAsync(url));

        Assert.Equal([field], fields.Keys);
    }

    [Fact]
    public async Task AParameterThatIsNotANumber_IsNamed_AndItsValueIsNotEchoed()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-BADQUERY");

        var response = await prosecutor.GetAsync("/api/v1/cases?limit=Ioana-0721234567");
        var body = await response.Content.ReadAsStringAsync();

        var fields = await ProblemFieldsAsync(response);
        Assert.Equal(["Must be a whole number."], fields["/limit"]);
        Assert.DoesNotContain("Ioana", body);
        Assert.DoesNotContain("0721234567", body);
        // The framework's exception carries the value; neither it nor anything else may write it to the log.
        Assert.DoesNotContain(factory.Logs, l => l.Contains("0721234567", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"victims":null}""", "/victims")]
    [InlineData("""{"victims":[null]}""", "/victims/0")]
    [InlineData("""{"suspects":[{"role":"recruiter"},null]}""", "/suspects/1")]
    [InlineData("""{"routeCountries":null}""", "/routeCountries")]
    [InlineData("""{"routeCountries":["RO",null]}""", "/routeCountries/1")]
    [InlineData("""{"modusOperandi":{"recruitmentChannels":["social-media"]}}""", "/modusOperandi")]
    [InlineData("""{"victims":[{"ageBand":"12-14","name":"Ioana"}]}""", "/victims/0/name")]
    [InlineData("""{"victims":"many"}""", "/victims")]
    [InlineData("""{"jurisdiction":"garbage"}""", "/jurisdiction")]
    [InlineData("""{"periodFrom":"garbage"}""", "/periodFrom")]
    public async Task Match_NamesNullsUnknownFieldsAndWrongTypes(string body, string field)
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var fields = await ProblemFieldsAsync(await analyst.PostAsync("/api/v1/match", Json(body)));

        Assert.Equal([field], fields.Keys);
    }

    [Fact]
    public async Task Match_RefusesMoreThan200Suspects()
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);
        var body = JsonSerializer.Serialize(new { suspects = Enumerable.Range(0, 201).Select(_ => new { role = "recruiter" }) });

        var fields = await ProblemFieldsAsync(await analyst.PostAsync("/api/v1/match", Json(body)));

        Assert.Equal(["/suspects"], fields.Keys);
    }

    [Theory]
    [InlineData("{}", "/upTo")]
    [InlineData("""{"upTo":-1}""", "/upTo")]
    [InlineData("""{"upTo":"all"}""", "/upTo")]
    [InlineData("""{"upto_id":5}""", "/upto_id")]
    public async Task MarkingAlertsRead_NeedsTheNewestAlertId(string body, string field)
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-ALERTS-BAD");

        var fields = await ProblemFieldsAsync(await prosecutor.PostAsync("/api/v1/links/alerts/read", Json(body)));

        Assert.Equal([field], fields.Keys);
    }

    [Theory]
    [InlineData("""{"name":"a","role":"analyst","jurisdiction":"RO"}""", "/jurisdiction")]
    [InlineData("""{"name":"a","role":"steward","authority":"RO-X"}""", "/authority")]
    [InlineData("""{"name":"a","role":"prosecutor","jurisdiction":"RO","authority":"RO-"}""", "/authority")]
    [InlineData("""{"name":"a","role":"analyst","expires":"2027-01-01"}""", "/expires")]
    public async Task IssuingAKey_RefusesFieldsThatMeanNothingForTheRole(string body, string field)
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var before = (await steward.GetFromJsonAsync<JsonElement>("/api/v1/keys")).GetProperty("items").GetArrayLength();

        var fields = await ProblemFieldsAsync(await steward.PostAsync("/api/v1/keys", Json(body)));

        Assert.Equal([field], fields.Keys);
        Assert.Equal(before, (await steward.GetFromJsonAsync<JsonElement>("/api/v1/keys")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task AScheduleWithAFieldTheContractDoesNotHave_IsRefused_AndTheCronStays()
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var before = await steward.GetFromJsonAsync<JsonElement>("/api/v1/schedules/assign-patterns");

        var fields = await ProblemFieldsAsync(await steward.PutAsync("/api/v1/schedules/assign-patterns",
            Json("""{"cron":"0 4 * * *","timeZone":"Europe/Bucharest"}""")));

        Assert.Equal(["/timeZone"], fields.Keys);
        var after = await steward.GetFromJsonAsync<JsonElement>("/api/v1/schedules/assign-patterns");
        Assert.Equal(before.GetProperty("cron").GetString(), after.GetProperty("cron").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    public async Task ABodyThatIsNotJson_IsAProblem_NotAnError(string body)
    {
        var steward = await factory.ClientForAsync(Roles.Steward);

        var response = await steward.PutAsync("/api/v1/schedules/assign-patterns", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RevokingAKey_EndsItAtOnce_TwiceChangesNothing_AndAnUnknownIdIsNotFound()
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var issued = await (await steward.PostAsync("/api/v1/keys", Json("""{"name":"to revoke","role":"analyst"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        var id = issued.GetProperty("id").GetString();
        var analyst = factory.CreateClient();
        analyst.DefaultRequestHeaders.Add("X-Api-Key", issued.GetProperty("key").GetString());
        // Used once, so its verification is cached; the revocation must end it at once all the same.
        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await steward.DeleteAsync($"/api/v1/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await analyst.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await steward.DeleteAsync($"/api/v1/keys/{id}")).StatusCode);
        var unknown = await steward.DeleteAsync("/api/v1/keys/no-such-key");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task JobRuns_PageBackWithTheLastStartTime_AndRefuseACursorThatIsNotOne()
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var jobs = factory.Services.GetRequiredService<Analytics.Data.Jobs.JobStore>();
        var job = "paging-" + Guid.NewGuid().ToString("n")[..8];
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await jobs.StartRunAsync(job, CancellationToken.None));
            await Task.Delay(5);
        }

        var first = await steward.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/runs?job={job}&limit=2");
        var before = Uri.EscapeDataString(first[1].GetProperty("startedAt").GetString()!);
        var second = await steward.GetFromJsonAsync<JsonElement>($"/api/v1/jobs/runs?job={job}&limit=2&before={before}");

        Assert.Equal([ids[2], ids[1]], first.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal([ids[0]], second.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var fields = await ProblemFieldsAsync(await steward.GetAsync($"/api/v1/jobs/runs?job={job}&before=yesterday"));
        Assert.Equal(["/before"], fields.Keys);
        // Without an offset the time would be read in the server's zone: refused, as a time of no zone.
        var local = DateTimeOffset.Parse(first[1].GetProperty("startedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture);
        var noZone = await ProblemFieldsAsync(await steward.GetAsync($"/api/v1/jobs/runs?job={job}&before={local}"));
        Assert.Equal(["/before"], noZone.Keys);
    }

    [Theory]
    [InlineData("steward", "/api/v1/keys", """{"name":"dup","role":"analyst","role":"steward"}""", "/role")]
    [InlineData("steward", "/api/v1/keys", """{"name":"x\u0000y","role":"analyst"}""", "/name")]
    [InlineData("steward", "/api/v1/keys", """{"name":"p","role":"prosecutor","jurisdiction":"RO","authority":"RO-DIICOT/../IT"}""", "/authority")]
    [InlineData("prosecutor", "/api/v1/links/alerts/read", """{"upTo":"5"}""", "/upTo")]
    [InlineData("analyst", "/api/v1/match", "", "")]
    [InlineData("analyst", "/api/v1/match", "null", "")]
    public async Task ABodyThatIsAmbiguousEmptyOrOutOfShape_IsRefused_NamingTheField(string role, string url, string body, string field)
    {
        var client = role == Roles.Prosecutor ? await factory.ProsecutorAsync("RO", "RO-BODIES") : await factory.ClientForAsync(role);
        var keysBefore = (await factory.Services.GetRequiredService<ApiKeyStore>().ListAsync(CancellationToken.None)).Count;

        var fields = await ProblemFieldsAsync(await client.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json")));

        Assert.Equal([field], fields.Keys);
        Assert.Equal(keysBefore, (await factory.Services.GetRequiredService<ApiKeyStore>().ListAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task ABodyWithoutContentType_GetsA415_ThatSaysWhatToSend()
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var response = await analyst.PostAsync("/api/v1/match", new ByteArrayContent("{}"u8.ToArray()));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Unsupported media type", problem.GetProperty("title").GetString());
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ATrendQuery_IsCheckedBeforeThePatternIsLookedUp()
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var fields = await ProblemFieldsAsync(await analyst.GetAsync("/api/v1/patterns/999/trend?interval=week&format=xml"));

        Assert.Equal(["/format", "/interval"], fields.Keys.Order());
    }

    [Fact]
    public async Task ABatchWhoseEveryLineIsRejected_FreesItsIdempotencyKey()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-ALLBAD");
        var key = "all-bad-" + Guid.NewGuid().ToString("n");

        var rejected = await prosecutor.SubmitBatchAsync("{\"not\":\"a case\"}\n", key);
        var corrected = await prosecutor.SubmitBatchAsync(SampleCases.Json(authority: "RO-ALLBAD", reference: "ALLBAD/1") + "\n", key);
        var replayed = await prosecutor.SubmitBatchAsync(SampleCases.Json(authority: "RO-ALLBAD", reference: "ALLBAD/1") + "\n", key);

        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal(0, (await rejected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").GetInt32());
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        Assert.Equal(1, (await corrected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").GetInt32());
        Assert.True(replayed.Headers.Contains("Idempotent-Replayed"));
    }

    [Theory]
    [InlineData("GET", "/api/v1/schedules/John%20Smith%20%2B40721234567")]
    [InlineData("PUT", "/api/v1/schedules/John%20Smith%20%2B40721234567")]
    [InlineData("GET", "/api/v1/models/patterns/John%20Smith%20%2B40721234567")]
    [InlineData("POST", "/api/v1/models/patterns/John%20Smith%20%2B40721234567/activate")]
    public async Task AnUnknownNameInThePath_IsNotRepeatedInTheAnswer(string method, string url)
    {
        var steward = await factory.ClientForAsync(Roles.Steward);

        var response = await steward.SendAsync(new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = method == "PUT" ? JsonContent.Create(new { cron = "0 3 * * *" }) : null,
        });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Smith", body);
        Assert.DoesNotContain("721234567", body);
    }

    [Theory]
    [InlineData("prosecutor", "/api/v1/cases?limit=0")]
    [InlineData("prosecutor", "/api/v1/links/cases?limit=-5")]
    [InlineData("prosecutor", "/api/v1/links/alerts?limit=0")]
    [InlineData("steward", "/api/v1/audit?limit=0")]
    [InlineData("steward", "/api/v1/jobs/runs?limit=-1")]
    public async Task APageSizeBelowOne_IsRefused_NotRaisedToOne(string role, string url)
    {
        var client = role == Roles.Prosecutor ? await factory.ProsecutorAsync("RO", "RO-LIMITS") : await factory.ClientForAsync(role);

        var fields = await ProblemFieldsAsync(await client.GetAsync(url));

        Assert.Equal(["/limit"], fields.Keys);
    }

    [Fact]
    public async Task APageSizeAboveTheMaximum_IsLoweredToIt()
    {
        var steward = await factory.ClientForAsync(Roles.Steward);
        var jobs = factory.Services.GetRequiredService<Analytics.Data.Jobs.JobStore>();
        var job = "many-" + Guid.NewGuid().ToString("n")[..8];
        for (var i = 0; i < 502; i++) await jobs.StartRunAsync(job, CancellationToken.None);

        var response = await steward.GetAsync($"/api/v1/jobs/runs?job={job}&limit=100000");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(500, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
    }
}
