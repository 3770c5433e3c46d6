using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Gantry.Bench;

public sealed class UiOptions
{
    public int Instances { get; set; } = 1_000;

    public int Loads { get; set; } = 20;

    public int Clients { get; set; } = 16;

    /// <summary>The target for the instance list's first contentful paint, in milliseconds.</summary>
    public double TargetMs { get; set; } = 300;

    public string? JsonPath { get; set; }
}

/// <summary>
/// <c>bench -- ui</c>: a tenant with <see cref="UiOptions.Instances"/> instances, seeded through the API as the api bench
/// does, and its instance list opened in headless chromium (the system browser, as the UI tests drive it) over and
/// over. Each load is measured by the browser itself: Navigation Timing (the first byte, domContentLoaded, load) and
/// Paint Timing (first paint, first contentful paint), all from the start of the navigation.
/// </summary>
public sealed class UiBenchmark(UiOptions options)
{
    private const string Tenant = "ui-bench";
    private const int WarmUpLoads = 5;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly string[] Chromium = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

    // Read after the load event: the navigation entry and the paint entries of this document.
    private const string TimingScript = """
        () => {
          const n = performance.getEntriesByType('navigation')[0];
          const paint = Object.fromEntries(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]));
          return [n.responseStart, n.domContentLoadedEventEnd, n.loadEventEnd, paint['first-paint'] ?? -1, paint['first-contentful-paint'] ?? -1, n.transferSize, document.querySelectorAll('tbody tr').length];
        }
        """;

    public async Task<int> RunAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), $"gantry-ui-bench-{Guid.NewGuid():N}");
        var port = ApiBenchmark.FreePort();
        var server = ApiBenchmark.StartServer(data, port, sealingKeyBits: 2048, keyPool: 4);
        try
        {
            var baseUrl = $"http://127.0.0.1:{port}";
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(5) };
            await ApiBenchmark.WaitForReadyAsync(http, server);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await ApiBenchmark.LoginAsync(http));
            await ApiBenchmark.Expect(http.PostAsJsonAsync("/api/v1/tenants", new { name = Tenant, quotas = new { maxInstances = options.Instances + 1 } }), HttpStatusCode.Created);
            var seeding = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, options.Instances), new ParallelOptions { MaxDegreeOfParallelism = options.Clients }, async (i, cancel) =>
                await ApiBenchmark.Expect(http.PutAsJsonAsync($"/api/v1/tenants/{Tenant}/instances/db{i:D4}",
                    new { offering = "qdrant", values = new { replicaCount = 1 + (i % 3) } }, cancel), HttpStatusCode.Created));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {options.Instances} instances in {seeding.Elapsed.TotalSeconds:F1} s (server pid {server.Id})"));

            var loads = await MeasureAsync(baseUrl);
            Report(loads);
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private async Task<List<Load>> MeasureAsync(string baseUrl)
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var executable = Environment.GetEnvironmentVariable("GANTRY_TEST_CHROMIUM") ?? Chromium.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("No chromium found: install Debian's chromium (make test-deps) or set GANTRY_TEST_CHROMIUM.");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(ApiBenchmark.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();

        var loads = new List<Load>();
        for (var n = 0; n < WarmUpLoads + options.Loads; n++)
        {
            // A fresh navigation each time (not a reload from the cache): what someone opening the list gets.
            await page.GotoAsync("about:blank");
            await page.GotoAsync($"/tenants/{Tenant}/instances", new() { WaitUntil = WaitUntilState.Load });
            await page.WaitForFunctionAsync("() => performance.getEntriesByType('paint').some(e => e.name === 'first-contentful-paint')");
            var timing = await page.EvaluateAsync<JsonElement>(TimingScript);
            var values = timing.EnumerateArray().Select(v => v.GetDouble()).ToArray();
            if (n >= WarmUpLoads)
            {
                loads.Add(new Load(values[0], values[1], values[2], values[3], values[4], values[5], (int)values[6]));
            }
        }

        await context.CloseAsync();
        return loads;
    }

    private void Report(List<Load> loads)
    {
        var rows = new (string Name, Func<Load, double> Of)[]
        {
            ("first byte (responseStart)", l => l.FirstByte),
            ("first paint", l => l.FirstPaint),
            ("first contentful paint", l => l.FirstContentfulPaint),
            ("domContentLoaded", l => l.DomContentLoaded),
            ("load", l => l.Loaded),
        };
        var rowsShown = loads[0].Rows;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"instance list of {options.Instances:N0} instances ({rowsShown} rows on the page, {loads[0].TransferBytes / 1024:F0} KiB), {loads.Count} loads in headless chromium, target first contentful paint <= {options.TargetMs:F0} ms"));
        Console.WriteLine("| measure | p50 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, of) in rows)
        {
            var values = loads.Select(of).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Percentile(values, 0.5):F0} | {Percentile(values, 0.99):F0} | {values.Max():F0} |"));
        }

        var fcp = Percentile(loads.Select(l => l.FirstContentfulPaint), 0.5);
        Console.WriteLine(fcp <= options.TargetMs ? $"within the target ({fcp:F0} ms)" : $"ABOVE the target ({fcp:F0} ms > {options.TargetMs:F0} ms)");
        if (options.JsonPath is { } path)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["instances"] = options.Instances,
                ["rows"] = rowsShown,
                ["loads"] = loads.Count,
                ["target_ms"] = options.TargetMs,
                ["measures"] = rows.ToDictionary(r => r.Name, r =>
                {
                    var values = loads.Select(r.Of).ToList();
                    return new { p50 = Math.Round(Percentile(values, 0.5), 1), p99 = Math.Round(Percentile(values, 0.99), 1) };
                }),
            }, Indented));
        }
    }

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return ApiBenchmark.Percentile(sorted, p);
    }

    private sealed record Load(double FirstByte, double DomContentLoaded, double Loaded, double FirstPaint, double FirstContentfulPaint, double TransferBytes, int Rows);
}
