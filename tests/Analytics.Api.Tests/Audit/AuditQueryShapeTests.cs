using System.Text.Json;
using Analytics.Api.Audit;
using Microsoft.AspNetCore.Http;

namespace Analytics.Api.Tests.Audit;

/// <summary>A query value is written to the audit log only in the shape its parameter takes.</summary>
public sealed class AuditQueryShapeTests
{
    private static string? Recorded(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        using var parameters = JsonDocument.Parse(AuditParameters.Of(context.Request));
        var key = query.TrimStart('?').Split('=')[0];
        return parameters.RootElement.GetProperty("query").GetProperty(key).GetString();
    }

    [Theory]
    [InlineData("?after=2b1f0e4c-8d2a-4f0e-9c1b-6a7d8e9f0a1b")]
    [InlineData("?after=12345")]
    [InlineData("?after=0a1b2c3d4e5f")]
    [InlineData("?before=2026-11-24T19:35:23.1234567%2B00:00")]
    [InlineData("?since=2026-11-24T19:35:23Z")]
    [InlineData("?from=2023-01")]
    [InlineData("?to=2024")]
    [InlineData("?jurisdiction=RO")]
    [InlineData("?ageBand=15-17")]
    [InlineData("?ageBand=60%2B")]
    [InlineData("?exploitationType=online-sexual")]
    [InlineData("?job=train:patterns")]
    [InlineData("?limit=500")]
    [InlineData("?alpha=0.001")]
    [InlineData("?format=csv")]
    public void AValueInItsParametersShape_IsKept(string query)
    {
        Assert.NotEqual(AuditParameters.Redacted, Recorded(query));
    }

    [Theory]
    [InlineData("?after=RO49AAAA1B31007593840000")] // an IBAN as a cursor
    [InlineData("?before=DIICOT-2024-00017")]
    [InlineData("?jurisdiction=popescu")]
    [InlineData("?origin=ROU")]
    [InlineData("?ageBand=%2B40721234567")]
    [InlineData("?exploitationType=0721234567")]
    [InlineData("?from=B-123-XYZ")]
    [InlineData("?limit=40721234567")]
    [InlineData("?alpha=0721.234.567")]
    [InlineData("?format=maria.popescu")]
    [InlineData("?after=0721234567")] // a phone number as a cursor
    [InlineData("?after=2008-06-02")] // a date of birth as a cursor
    [InlineData("?since=2008-06-02")]
    public void AnyOtherValue_IsRedacted(string query)
    {
        Assert.Equal(AuditParameters.Redacted, Recorded(query));
    }

    private static string? RecordedRoute(string template, string id)
    {
        var context = new DefaultHttpContext();
        context.SetEndpoint(new Microsoft.AspNetCore.Routing.RouteEndpoint(_ => Task.CompletedTask,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse(template), 0, EndpointMetadataCollection.Empty, template));
        context.Request.RouteValues["id"] = id;
        using var parameters = JsonDocument.Parse(AuditParameters.Of(context.Request));
        return parameters.RootElement.GetProperty("route").GetProperty("id").GetString();
    }

    [Theory]
    [InlineData("/api/v1/cases/{id}", "0197a0e4-8d2a-7f0e-9c1b-6a7d8e9f0a1b", true)]
    [InlineData("/api/v1/cases/{id}", "0721234567", false)] // a phone number where a case id goes
    [InlineData("/api/v1/cases/{id}", "6080602123", false)]
    [InlineData("/api/v1/cases/{id}", "12345", false)] // a case id is never a number
    [InlineData("/api/v1/keys/{id}", "0a1b2c3d4e5f", true)]
    [InlineData("/api/v1/patterns/{id:int}", "7", true)]
    [InlineData("/api/v1/patterns/{id:int}", "0721234567", false)]
    public void ARouteId_IsKeptOnlyInTheShapeItsRouteTakes(string template, string id, bool kept)
    {
        Assert.Equal(kept, RecordedRoute(template, id) != AuditParameters.Redacted);
    }
}
