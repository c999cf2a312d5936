using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Api.Startup;
using Analytics.Api.Tests.Infrastructure;
using Analytics.Data.ApiKeys;

namespace Analytics.Api.Tests.Security;

public sealed class SecurityHeadersTests(AnalyticsFactory factory) : IClassFixture<AnalyticsFactory>
{
    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    private static string PolicyOf(HttpResponseMessage response) => Assert.Single(response.Headers.GetValues("Content-Security-Policy"));

    [Fact]
    public async Task Dashboard_IsServedWithTheStrictPolicy_AndHasNoInlineScriptOrStyle()
    {
        var client = factory.CreateClient();

        var page = await client.GetAsync("/");
        var script = await client.GetAsync("/js/app.js");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        AssertCommonHeaders(page);
        AssertCommonHeaders(script);
        Assert.Equal("default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'", PolicyOf(page));
        Assert.Equal(SecurityHeaders.Policy, PolicyOf(script));
        Assert.False(page.Headers.CacheControl?.NoStore ?? false);
        // The policy allows no inline script or style: the page must not need one.
        Assert.DoesNotMatch(new Regex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase), html);
        Assert.DoesNotMatch(new Regex(@"\sstyle=|<style", RegexOptions.IgnoreCase), html);
    }

    [Fact]
    public async Task ApiAnswers_AreNeverStored_AndCarryTheHeaders_AlsoWhenRefused()
    {
        var analyst = await factory.ClientForAsync(Roles.Analyst);
        var anonymous = factory.CreateClient();

        var ok = await analyst.GetAsync("/api/v1/me");
        var refused = await anonymous.GetAsync("/api/v1/links/cases");
        var missing = await analyst.GetAsync("/api/v1/no-such-endpoint");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound), (ok.StatusCode, refused.StatusCode, missing.StatusCode));
        foreach (var response in new[] { ok, refused, missing })
        {
            AssertCommonHeaders(response);
            Assert.True(response.Headers.CacheControl?.NoStore, $"{response.RequestMessage!.RequestUri}: no Cache-Control: no-store");
            Assert.Equal(SecurityHeaders.Policy, PolicyOf(response));
        }
    }

    [Fact]
    public async Task ApiReference_AllowsExactlyItsOwnInlineScript_AndNothingFromElsewhere()
    {
        var client = factory.CreateClient();

        var page = await client.GetAsync("/docs/");
        var html = await page.Content.ReadAsStringAsync();
        var policy = PolicyOf(page);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        AssertCommonHeaders(page);
        var inline = Regex.Matches(html, @"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", RegexOptions.Singleline);
        Assert.NotEmpty(inline);
        foreach (Match script in inline)
            Assert.Contains($"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script.Groups[1].Value)))}'", policy);
        var scriptSources = Regex.Match(policy, "script-src ([^;]*)").Groups[1].Value;
        Assert.DoesNotContain("unsafe", scriptSources);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("http", policy);
        Assert.Equal(html.Length, (await client.GetStringAsync("/docs/")).Length);
    }
}
