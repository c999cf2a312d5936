using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Analytics.Browser.Tests;

/// <summary>
/// The real service, started as a child process on a free 127.0.0.1 port with demo data in a temporary folder,
/// plus one headless system Chromium. Shared by every browser test.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    private static readonly TimeSpan _readyTimeout = TimeSpan.FromSeconds(180);
    private readonly StringBuilder _log = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "analytics-browser-tests", Guid.NewGuid().ToString("n"));
    private Process? _service;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string BaseUrl { get; private set; } = "";
    public IReadOnlyList<IssuedKey> Keys { get; private set; } = [];
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };
    public IBrowser Browser => _browser ?? throw new InvalidOperationException(Chromium.Missing);
    public string ScreenshotFolder { get; } = FindScreenshotFolder();
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string KeyOf(string role, string? authority = null) =>
        Keys.First(k => k.Role == role && (authority is null || k.Authority == authority)).Key;

    public async Task InitializeAsync()
    {
        if (!Chromium.Installed)
        {
            // Only reached on CI (elsewhere the tests are skipped before the fixture is built).
            if (Chromium.OnCi) throw new InvalidOperationException(Chromium.Missing);
            return;
        }
        Directory.CreateDirectory(_folder);
        BaseUrl = $"http://127.0.0.1:{FreePort()}";
        Http.BaseAddress = new Uri(BaseUrl);
        StartService();
        await WaitUntilDemoTrainedAsync();
        await WaitUntilLinksComputedAsync();

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.Path,
            Args = Chromium.Args,
            Headless = true,
        });
    }

    private void StartService()
    {
        var dll = ServiceAssembly();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["Urls"] = BaseUrl;
        start.Environment["Database__ConnectionString"] = $"Data Source={Path.Combine(_folder, "analytics.db")}";
        start.Environment["Pseudonymisation__KeyFile"] = Path.Combine(_folder, "keys", "pseudonymisation.json");
        start.Environment["FirstRun__KeysFile"] = Path.Combine(_folder, "first-run-keys.txt");
        start.Environment["Learning__ModelsRoot"] = Path.Combine(_folder, "models");
        start.Environment["Demo__Enabled"] = "true";
        start.Environment["Demo__Cases"] = "1200";
        // Low enough that a test can get an authority held for link probing with two probes; the demo withdraws nothing.
        start.Environment["Links__Probing__Limit"] = "2";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        _service = Process.Start(start) ?? throw new InvalidOperationException("Could not start the service.");
        _service.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _service.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();
    }

    /// <summary>Waits for the first-run keys, then until the demo's train-all run (training, assignment and aggregates) has finished.</summary>
    private async Task WaitUntilDemoTrainedAsync()
    {
        var deadline = Stopwatch.StartNew();
        var keysFile = Path.Combine(_folder, "first-run-keys.txt");
        while (deadline.Elapsed < _readyTimeout)
        {
            if (_service!.HasExited) throw new InvalidOperationException($"The service exited with {_service.ExitCode}.\n{LogTail()}");
            if (Keys.Count == 0 && File.Exists(keysFile)) Keys = ReadKeys(keysFile);
            if (Keys.Count > 0 && await DemoReadyAsync()) return;
            await Task.Delay(1000);
        }
        throw new TimeoutException($"The demo was not trained within {_readyTimeout.TotalSeconds} s.\n{LogTail()}");
    }

    /// <summary>
    /// Links are recomputed every minute; rather than wait for the next tick, queue a recomputation over the stored demo
    /// cases and wait for it, so the prosecutors' pages have their planted cross-border hits.
    /// </summary>
    private Task WaitUntilLinksComputedAsync() => RecomputeLinksAsync();

    /// <summary>Queues a link computation and waits until a computation that started after it has succeeded.</summary>
    public async Task RecomputeLinksAsync()
    {
        var steward = KeyOf("steward");
        // The service runs on this machine's clock: a run started after this instant read what was stored before it.
        var queuedAt = DateTimeOffset.UtcNow;
        await SendAsync<JsonElement>(HttpMethod.Post, "/api/v1/links/recompute", steward);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var runs = await GetAsync<List<JobRun>>("/api/v1/jobs/runs?job=compute-links", steward);
            // A scheduled run may be throttled (it then computes nothing): only a run that computed counts.
            if (runs.Any(r => r.Outcome == "succeeded" && r.Detail?.StartsWith("throttled", StringComparison.Ordinal) != true
                && DateTimeOffset.Parse(r.StartedAt, System.Globalization.CultureInfo.InvariantCulture) >= queuedAt)) return;
            await Task.Delay(500);
        }
        throw new TimeoutException($"Links were not computed within 60 s.\n{LogTail()}");
    }

    private async Task<bool> DemoReadyAsync()
    {
        try
        {
            var models = await GetAsync<JsonElement>("/api/v1/models", KeyOf("steward"));
            if (models.EnumerateArray().Any(m => m.GetProperty("active").ValueKind == JsonValueKind.Null)) return false;
            // Not a refresh-aggregates run: the recurring one (every 15 minutes) can succeed before the demo's models exist,
            // while the demo's own assignment and refresh are still to come.
            var runs = await GetAsync<JsonElement>("/api/v1/jobs/runs?job=train-all", KeyOf("steward"));
            return runs.EnumerateArray().Any(r => r.GetProperty("outcome").GetString() == "succeeded");
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    public async Task<T> GetAsync<T>(string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    public async Task<T> SendAsync<T>(HttpMethod method, string path, string key, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", key);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    /// <summary>A browser page signed in through the sign-in form, at laptop size unless told otherwise.</summary>
    public Task<IPage> SignInAsync(string role, string? authority = null, int width = 1366, int height = 900) =>
        SignInWithKeyAsync(KeyOf(role, authority), role, width, height);

    /// <summary>A browser page signed in through the sign-in form with a key issued during the tests.</summary>
    public async Task<IPage> SignInWithKeyAsync(string key, string role, int width = 1366, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByLabel("API key or access token").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("role")).ToHaveTextAsync(role);
        return page;
    }

    /// <summary>Every page's address in the dashboard's navigation, by role.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> PagesOf = new Dictionary<string, string[]>
    {
        ["analyst"] = ["patterns", "routes", "match"],
        ["steward"] = ["patterns", "routes", "match", "models", "privacy"],
        ["prosecutor"] = ["links"],
    };

    /// <summary>Opens a page by its address and waits until the page has rendered and no loading line is left.</summary>
    public static async Task OpenAsync(IPage page, string path)
    {
        await page.EvaluateAsync("path => { location.hash = path; }", $"#/{path}");
        await Assertions.Expect(page.Locator($"main[data-ready='{path}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("main .loading")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("main h1")).ToBeVisibleAsync();
    }

    public async Task ScreenshotAsync(IPage page, string name)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    public string LogTail()
    {
        lock (_log)
        {
            var text = _log.ToString();
            return text.Length > 4000 ? text[^4000..] : text;
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_service is { HasExited: false })
        {
            _service.Kill(entireProcessTree: true);
            await _service.WaitForExitAsync();
        }
        _service?.Dispose();
        Http.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static IReadOnlyList<IssuedKey> ReadKeys(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 3)
            .Select(p => new IssuedKey(p[0], p[1], p[2]))
            .ToList();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Analytics.sln"))) folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("Analytics.sln not found above the test folder.");
    }

    /// <summary>The service built by the same configuration as these tests (the project reference builds it first).</summary>
    private static string ServiceAssembly()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var dll = Path.Combine(RepositoryRoot(), "src", "Analytics.Api", "bin", configuration, "net10.0", "Analytics.Api.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the service first: {dll} is missing.");
    }

    private static string FindScreenshotFolder()
    {
        var folder = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        return folder;
    }
}

public sealed record IssuedKey(string Role, string Authority, string Key);
