using System.Net;
using System.Text.Json;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests.Errors;

/// <summary>Every GET route of the API refuses a <c>?format=</c> it does not serve; json is always taken.</summary>
public sealed class FormatParameterTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    // A value for each route parameter; the format is refused before the route looks anything up.
    private static string Path(RouteEndpoint endpoint) =>
        "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => parameter.Name switch
            {
                "id" when parameter.ParameterPolicies.Any(p => p.Content == "int") => "1",
                "name" => "patterns",
                "version" => "v1",
                "job" => "train-all",
                _ => "0197a0e4-8d2a-7f0e-9c1b-6a7d8e9f0a1b",
            },
            _ => "",
        }))));

    private async Task<IReadOnlyList<string>> ApiGetRoutesAsync()
    {
        _ = await factory.ClientForAsync(Roles.Analyst); // starts the host
        return factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true
                && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(Path).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task EveryGetRoute_RefusesAnUnknownFormat_OnFormat()
    {
        var routes = await ApiGetRoutesAsync();
        var steward = await factory.ClientForAsync(Roles.Steward);
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-FORMAT");

        Assert.Contains("/api/v1/insights/indicators", routes);
        Assert.Contains("/api/v1/links/summary", routes);
        Assert.Contains("/api/v1/cases", routes);
        var answered = new List<string>();
        foreach (var route in routes)
        {
            var response = await steward.GetAsync(route + "?format=xml");
            if (response.StatusCode == HttpStatusCode.Forbidden) response = await prosecutor.GetAsync(route + "?format=xml");
            var body = await response.Content.ReadAsStringAsync();
            var fields = response.StatusCode == HttpStatusCode.BadRequest && JsonDocument.Parse(body).RootElement.TryGetProperty("errors", out var errors)
                ? errors.EnumerateObject().Select(p => p.Name).ToList() : [];
            answered.Add($"{route}: {(int)response.StatusCode} {string.Join(',', fields)}");
        }
        Assert.All(answered, line => Assert.EndsWith(": 400 /format", line, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/v1/insights/indicators?format=csv")]
    [InlineData("/api/v1/insights/indicators?format=xml")]
    [InlineData("/api/v1/links/summary?format=xml")]
    [InlineData("/api/v1/patterns/1?format=csv")]
    [InlineData("/api/v1/insights/indicators?format=json&format=csv")]
    public async Task ARouteWithoutCsv_RefusesAnyOtherFormat(string url)
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var response = await analyst.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal(["/format"], errors.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("/api/v1/insights/indicators?format=json")]
    [InlineData("/api/v1/links/summary?format=JSON")]
    [InlineData("/api/v1/insights/summary?format=csv")]
    public async Task JsonIsAlwaysTaken_AndCsvWhereTheRouteServesIt(string url)
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);

        var response = await analyst.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AnUnknownFormat_IsRefusedOnlyAfterTheCallerIsAuthorised()
    {
        var prosecutor = await factory.ProsecutorAsync("RO", "RO-FORMAT-AUTH");
        var anonymous = factory.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await prosecutor.GetAsync("/api/v1/insights/indicators?format=xml")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/insights/indicators?format=xml")).StatusCode);
    }
}
