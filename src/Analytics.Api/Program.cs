using Analytics.Api.Auth;
using Analytics.Api.Cases;
using Analytics.Api.Errors;
using Analytics.Api.Jobs;
using Analytics.Api.Learning;
using Analytics.Api.Keys;
using Analytics.Api.Startup;
using Analytics.Data;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<UnexpectedExceptionHandler>();
builder.Services.AddOpenApi();
builder.Services.AddAnalyticsData();
builder.Services.AddIngestion();
builder.Services.AddAnalyticsAuth(builder.Configuration);
builder.Services.AddFirstRun();
builder.Services.AddLearningAndJobs(builder.Configuration);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = CasesApi.MaxBatchBytes);

var app = builder.Build();

await app.Services.GetRequiredService<FirstRun>().RunAsync(app.Lifetime.ApplicationStopping);
await app.Services.GetRequiredService<JobScheduler>().SyncAsync(app.Lifetime.ApplicationStopping);
app.Services.GetRequiredService<ModelServing>().Refresh();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseStewardDashboard();

app.MapOpenApi();
app.MapScalarApiReference("/docs");
app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" })).WithTags("Health");
app.MapCasesApi();
app.MapKeysApi();
app.MapStewardApi();

app.Run();

public partial class Program;
