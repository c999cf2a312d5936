using Analytics.Api.Audit;
using Analytics.Api.Auth;
using Analytics.Api.Cases;
using Analytics.Api.Dashboard;
using Analytics.Api.Demo;
using Analytics.Api.Errors;
using Analytics.Api.Health;
using Analytics.Api.Insights;
using Analytics.Api.Jobs;
using Analytics.Api.Keys;
using Analytics.Api.Learning;
using Analytics.Api.Links;
using Analytics.Api.OpenApi;
using Analytics.Api.Operations;
using Analytics.Api.Patterns;
using Analytics.Api.Privacy;
using Analytics.Api.Pseudonymisation;
using Analytics.Api.Startup;
using Analytics.Data;
using Scalar.AspNetCore;

// "--demo" loads generated cases on an empty database and trains on them (see README).
var demo = args.Contains("--demo");
// The dashboard's files are copied beside the binary, so it is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args.Where(a => a != "--demo").ToArray(),
    WebRootPath = Directory.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot")) ? Path.Combine(AppContext.BaseDirectory, "wwwroot") : null,
});
if (demo) builder.Configuration["Demo:Enabled"] = "true";
builder.Configuration.AddSettingsBesideBinary();
// all (one machine) | api (API + dashboard, enqueues jobs) | worker (Hangfire server; health and metrics only). See README.
var node = NodeOptions.From(builder.Configuration);
// First-run keys are for people calling the API; a worker has none to give out.
if (!node.ServesApi) builder.Configuration["FirstRun:IssueKeys"] = "false";

// A 415 that routing answers by itself (a route that declares its bodies) says what to send, as every other 415 does.
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = UnsupportedMediaTypes.Complete);
builder.Services.AddExceptionHandler<UnexpectedExceptionHandler>();
// Bodies other than case records (which have their own strict reader): a field the contract does not have is an error,
// not silently dropped; and a parameter that cannot be bound is thrown to the handler above, which names it.
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
    // A property sent twice is refused, not settled by its last value ({"role":"analyst","role":"steward"}), and a
    // number is a JSON number, not a string of digits: as the case reader does.
    o.SerializerOptions.AllowDuplicateProperties = false;
    o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
});
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddOpenApi(o => o.AddExamples());
builder.Services.AddAnalyticsData();
builder.Services.AddIngestion();
builder.Services.AddAnalyticsAuth(builder.Configuration);
builder.Services.AddHangfireSession(builder.Configuration);
builder.Services.AddFirstRun();
builder.Services.AddLearningAndJobs(builder.Configuration);
builder.Services.AddLinks();
builder.Services.AddDemo();
builder.Services.AddAudit();
builder.Services.AddOperations();
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = CasesApi.MaxBatchBytes);

var app = builder.Build();

await app.Services.GetRequiredService<FirstRun>().RunAsync(app.Lifetime.ApplicationStopping);
await app.Services.GetRequiredService<JobScheduler>().SyncAsync(app.Lifetime.ApplicationStopping);
app.Services.GetRequiredService<ModelServing>().Refresh();

// HEAD is answered as its GET without the body, so it must be turned into one before a route is chosen.
app.UseHeadRequests();
app.UseRouting();
app.UseAudit();
app.UseRequestMetrics();
app.UseExceptionHandler();
app.UseStatusCodePages();
// Inside the exception handler, which clears the headers of a failed response and runs the rest again.
app.UseSecurityHeaders();
if (node.ServesApi) app.UseDashboard();
app.UseSingleCredential();
app.UseAuthentication();
app.UseAuthorization();
// A body in another charset than UTF-8, or compressed, is refused with 415 before a route reads it.
app.UseBodyEncoding();
// ?format= a GET route does not serve is refused, not answered as JSON (routes with CSV check it themselves).
app.UseFormatParameter();
// A steward's browser session for /hangfire (a cookie, read there only), before the Hangfire dashboard that checks the role.
if (node.ServesApi) app.UseHangfireSession();
if (node.ServesApi) app.UseStewardDashboard();

app.MapHealthApi();
app.MapMetricsApi(app.Configuration);
if (node.ServesApi)
{
    app.MapOpenApi();
    // Nothing from another origin (fonts, telemetry): the page runs under the policy of SecurityHeaders.
    app.MapScalarApiReference("/docs", o => o.DisableDefaultFonts().DisableTelemetry());
    app.MapCasesApi();
    app.MapKeysApi();
    app.MapPseudonymisationApi();
    app.MapStewardApi();
    app.MapPatternsApi();
    app.MapInsightsApi();
    app.MapLinksApi();
    app.MapAuditApi();
    app.MapPrivacyApi();
    app.MapDashboardApi();
    app.MapHangfireSessionApi();
}

app.Run();

public partial class Program;
