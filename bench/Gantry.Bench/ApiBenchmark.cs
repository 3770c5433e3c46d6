using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Bench;

public sealed class ApiOptions
{
    public int[] Instances { get; set; } = [10_000, 100_000];

    public int Clients { get; set; } = 64;

    /// <summary>
    /// Instances per tenant: tenants = instances / this. 100 keeps the number of tenant sealing keys (one RSA key
    /// pair each) affordable and makes listing one tenant a realistic page of 100.
    /// </summary>
    public int PerTenant { get; set; } = 100;

    /// <summary>
    /// RSA size of the server's tenant sealing keys (<c>Sealing:KeyPool:KeySizeBits</c>). Every tenant's first
    /// <c>qdrant</c> create seals its generated <c>api-key</c> and so takes one key pair; 2048 bits keeps seeding
    /// thousands of tenants within minutes. The timed phase does not seal (PUT without secrets and scale keep the
    /// sealed value), so this does not change the measured changes.
    /// </summary>
    public int SealingKeyBits { get; set; } = 2048;

    /// <summary>Ready key pairs the server keeps (<c>Sealing:KeyPool:Capacity</c>), filled while tenants are created.</summary>
    public int KeyPool { get; set; } = 64;

    public double Seconds { get; set; } = 10;

    /// <summary>
    /// Settings or runtime variables for the server process (<c>--set Git__MaxCachedTrees=5000</c>,
    /// <c>--set DOTNET_GCConserveMemory=5</c>), to compare a setting against the defaults; printed with the results.
    /// </summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    public string? JsonPath { get; set; }

    /// <summary>
    /// A memory limit in MiB for the server, as a container's <c>resources.limits.memory</c> (<see cref="MemoryLimit"/>);
    /// null runs it unlimited.
    /// </summary>
    public int? MemoryLimitMb { get; set; }
}

/// <summary>
/// The whole product over HTTP: a real Gantry.Server process on the embedded defaults (SQLite, local repository,
/// fsync'd), seeded through its own API with N instances spread over N/<see cref="ApiOptions.PerTenant"/> tenants, then
/// driven by concurrent clients that scale and replace instances for a fixed time. Reports changes/s, latency to the
/// durable answer, the latency of listing one tenant's instances (on the quiet server and, paced, while the writers
/// run), the server's CPU time per change (steadier than changes/s on a shared machine, where the clients and other
/// work compete for the same cores) and the server's peak memory.
/// </summary>
public sealed class ApiBenchmark(ApiOptions options)
{
    internal const string Password = "bench-admin-password";
    private const int ListWarmUp = 100;
    private const int ListSamples = 1000;
    private static readonly TimeSpan BusyListPause = TimeSpan.FromMilliseconds(20);

    public async Task RunAsync()
    {
        var results = new List<ApiResult>();
        foreach (var size in options.Instances)
        {
            results.Add(await RunSizeAsync(size));
            Console.WriteLine(Table(results));
            if (options.MemoryLimitMb is { } megabytes)
            {
                var last = results[^1];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"memory limit {megabytes} MiB (a control group, as a container's limit): group peak {last.GroupPeakMb:0} MiB, limit reached {last.LimitHits} times, OOM kills {last.OomKills}"));
            }

            if (options.Settings.Count > 0)
            {
                Console.WriteLine("server settings: " + string.Join(", ", options.Settings.Select(s => $"{s.Key}={s.Value}")));
            }
        }

        if (options.JsonPath is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var json = new JsonObject
            {
                ["results"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
                {
                    ["approach"] = "gantry-api",
                    ["instances"] = r.Instances,
                    ["tenants"] = r.Tenants,
                    ["sealing_key_bits"] = options.SealingKeyBits,
                    ["first_creates_s"] = Math.Round(r.FirstCreatesSeconds, 1),
                    ["seed_changes_per_s"] = Math.Round(r.SeedPerSecond, 1),
                    ["changes_per_s"] = Math.Round(r.ChangesPerSecond, 1),
                    ["p50_ms"] = Math.Round(r.P50, 1),
                    ["p99_ms"] = Math.Round(r.P99, 1),
                    ["max_ms"] = Math.Round(r.Max, 1),
                    ["list_p50_ms"] = Math.Round(r.ListP50, 2),
                    ["list_p99_ms"] = Math.Round(r.ListP99, 2),
                    ["busy_list_p50_ms"] = Math.Round(r.BusyListP50, 2),
                    ["busy_list_p99_ms"] = Math.Round(r.BusyListP99, 2),
                    ["server_cpu_ms_per_change"] = Math.Round(r.ServerCpuMsPerChange, 2),
                    ["peak_rss_mb"] = Math.Round(r.PeakRssMb, 0),
                    ["memory_limit_mb"] = options.MemoryLimitMb,
                    ["group_peak_mb"] = r.GroupPeakMb is { } peak ? Math.Round(peak, 0) : null,
                    ["limit_hits"] = r.LimitHits,
                    ["oom_kills"] = r.OomKills,
                }).ToArray()),
            };
            await File.WriteAllTextAsync(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    private async Task<ApiResult> RunSizeAsync(int size)
    {
        var data = Path.Combine(Path.GetTempPath(), $"gantry-api-bench-{Guid.NewGuid():N}");
        var port = FreePort();
        using var limit = options.MemoryLimitMb is { } megabytes ? MemoryLimit.Create(megabytes) : null;
        var server = StartServer(data, port, options.SealingKeyBits, options.KeyPool, options.Settings, limit);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromMinutes(2),
            };
            await WaitForReadyAsync(http, server);
            var token = await LoginAsync(http);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            var tenants = Math.Max(1, size / options.PerTenant);
            await ParallelAsync(Enumerable.Range(0, tenants), async t =>
                await Expect(http.PostAsJsonAsync("/api/v1/tenants", new { name = Tenant(t) }), HttpStatusCode.Created));

            // Each tenant's first create seals a generated api-key and so waits for the tenant's sealing key pair
            // (RSA generation in the server's key pool): timed apart, as it measures key generation, not changes.
            var first = Stopwatch.StartNew();
            await ParallelAsync(Enumerable.Range(0, Math.Min(tenants, size)), async i =>
                await Expect(http.PutAsJsonAsync(InstanceUrl(i, tenants), new { offering = "qdrant", values = new { replicaCount = 1 } }), HttpStatusCode.Created));
            var firstSeconds = first.Elapsed.TotalSeconds;

            // The rest of seeding is the create measurement: every instance goes through the whole path, including
            // generating and sealing its api-key with the tenant's existing key.
            var seed = Stopwatch.StartNew();
            await ParallelAsync(Enumerable.Range(tenants, Math.Max(0, size - tenants)), async i =>
                await Expect(http.PutAsJsonAsync(InstanceUrl(i, tenants), new { offering = "qdrant", values = new { replicaCount = 1 } }), HttpStatusCode.Created));
            var seedPerSecond = Math.Max(0, size - tenants) / seed.Elapsed.TotalSeconds;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seeded {size} instances over {tenants} tenants ({options.SealingKeyBits}-bit sealing keys): first create per tenant {firstSeconds:0.0} s, the rest {seed.Elapsed.TotalSeconds:0.0} s; measuring for {options.Seconds} s (server pid {server.Id})"));

            // A server in service has listed before: the first listings in this process compile the list path (and
            // the runtime recompiles it optimized after 30 calls), which is start-up, not listing. Warm it up here,
            // before the timed phase, so the optimized code is in place when listing is measured.
            await ListAsync(http, tenants, ListWarmUp);

            // Seeding emptied the server's pool of sealing key pairs; refilling it is a second of CPU per pair that
            // tenant creation costs, not changes: wait for it, so the timed phase measures the steady state.
            var refill = Stopwatch.StartNew();
            await WaitForKeyPoolAsync(http);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sealing key pool refilled in {refill.Elapsed.TotalSeconds:0.0} s"));

            // A fresh token for the measured phase: seeding may have taken most of the last one's hour.
            http.DefaultRequestHeaders.Authorization = null;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await LoginAsync(http));

            // The measured phase: scale and replace random existing instances until time is up.
            var latencies = new List<double>[options.Clients];
            var deadline = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
            server.Refresh();
            var cpuBefore = server.TotalProcessorTime;
            var measured = Stopwatch.StartNew();

            // One more client lists a tenant's instances at a steady pace while the writers run: what a UI sees on a
            // busy server. Paced, so it adds little load; reported beside the listing on the quiet server.
            var busyListings = new List<double>();
            var busyLister = Task.Run(async () =>
            {
                for (var n = 0; Stopwatch.GetTimestamp() < deadline; n++)
                {
                    busyListings.Add(await ListOnceAsync(http, Tenant(n % tenants)));
                    await Task.Delay(BusyListPause);
                }
            });
            await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async c =>
            {
                var random = new Random(c);
                var own = latencies[c] = [];
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var i = random.Next(size);
                    var started = Stopwatch.GetTimestamp();
                    var request = random.Next(2) == 0
                        ? http.PostAsJsonAsync($"{InstanceUrl(i, tenants)}/scale", new { replicas = 1 + random.Next(5) })
                        : http.PutAsJsonAsync(InstanceUrl(i, tenants), new { offering = "qdrant", values = new { replicaCount = 1 + random.Next(5) } });
                    await Expect(request, HttpStatusCode.OK);
                    own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }));
            var elapsed = measured.Elapsed.TotalSeconds;
            server.Refresh();
            var cpuPerChange = (server.TotalProcessorTime - cpuBefore).TotalMilliseconds;
            var all = latencies.SelectMany(l => l).Order().ToList();
            cpuPerChange /= Math.Max(1, all.Count);

            await busyLister;
            busyListings.Sort();

            // Listing on the quiet server, right after the writers stop (the last pack merge may still run): every
            // tenant in turn, at least ListSamples listings, so that the p99 rests on more than the two slowest.
            var listings = await ListAsync(http, tenants, Math.Max(ListSamples, tenants));
            listings.Sort();
            return new ApiResult(size, tenants, firstSeconds, seedPerSecond, all.Count / elapsed, Percentile(all, 0.5), Percentile(all, 0.99), all[^1],
                Percentile(listings, 0.5), Percentile(listings, 0.99), Percentile(busyListings, 0.5), Percentile(busyListings, 0.99), cpuPerChange, PeakRssMb(server.Id))
            {
                GroupPeakMb = limit?.PeakMb,
                LimitHits = limit?.LimitHits,
                OomKills = limit?.OomKills,
            };
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    internal static Process StartServer(string data, int port, int sealingKeyBits, int keyPool, IReadOnlyDictionary<string, string>? settings = null, MemoryLimit? limit = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Gantry.Server.dll"), "--urls", $"http://127.0.0.1:{port}", "--data-dir", data })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["GANTRY_BOOTSTRAP_ADMIN_PASSWORD"] = Password;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["DOTNET_gcServer"] = "1";
        info.Environment["Auth__AccessTokenMinutes"] = "60"; // seeding 100,000 instances on a loaded machine outlasts the default 15
        info.Environment["Sealing__KeyPool__KeySizeBits"] = sealingKeyBits.ToString(CultureInfo.InvariantCulture);
        info.Environment["Sealing__KeyPool__Capacity"] = keyPool.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(limit?.Wrap(info) ?? info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[server] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<List<double>> ListAsync(HttpClient http, int tenants, int count)
    {
        var latencies = new List<double>(count);
        for (var n = 0; n < count; n++)
        {
            latencies.Add(await ListOnceAsync(http, Tenant(n % tenants)));
        }

        return latencies;
    }

    /// <summary>Lists one tenant's instances; returns how long it took in milliseconds.</summary>
    private static async Task<double> ListOnceAsync(HttpClient http, string tenant)
    {
        var started = Stopwatch.GetTimestamp();
        await Expect(http.GetAsync($"/api/v1/tenants/{tenant}/instances"), HttpStatusCode.OK);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    internal static async Task WaitForReadyAsync(HttpClient http, Process server)
    {
        for (var i = 0; i < 300; i++)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException("Gantry.Server exited during start.");
            }

            try
            {
                if ((await http.GetAsync("/readyz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Gantry.Server did not become ready.");
    }

    internal static async Task WaitForKeyPoolAsync(HttpClient http)
    {
        for (var i = 0; i < 6000; i++)
        {
            var health = await http.GetFromJsonAsync<JsonElement>("/hc?format=json");
            var keys = health.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "sealing-keys").GetProperty("data");
            if (keys.GetProperty("ready").GetInt64() >= keys.GetProperty("capacity").GetInt64())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The server's sealing key pool did not fill up within 10 minutes.");
    }

    internal static async Task<string> LoginAsync(HttpClient http)
    {
        var response = await http.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = "admin",
            ["password"] = Password,
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private async Task ParallelAsync(IEnumerable<int> items, Func<int, Task> body) =>
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = options.Clients }, async (i, _) => await body(i));

    internal static async Task Expect(Task<HttpResponseMessage> request, HttpStatusCode expected)
    {
        using var response = await request;
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static string Tenant(int t) => $"t{t:D6}";

    // Instances spread round-robin over tenants, so concurrent clients mostly touch different tenants.
    private static string InstanceUrl(int i, int tenants) => $"/api/v1/tenants/{Tenant(i % tenants)}/instances/db{i / tenants}";

    internal static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    internal static double PeakRssMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Table(IEnumerable<ApiResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{options.Clients} clients, {options.Seconds} s per size, {options.PerTenant} instances per tenant, {options.SealingKeyBits}-bit tenant sealing keys (pool of {options.KeyPool})."));
        text.AppendLine("seed creates/s: qdrant creates (generate + seal an api-key, render, commit) after each tenant's first; first creates s: the tenants' first creates, which wait for a sealing key pair.");
        text.AppendLine("| approach   | instances | tenants | first creates s | seed creates/s | changes/s | p50 ms | p99 ms | max ms | list p50 ms | list p99 ms | busy list p50 ms | busy list p99 ms | server CPU ms/change | peak RSS MB |");
        text.AppendLine("|------------|----------:|--------:|----------------:|---------------:|----------:|-------:|-------:|-------:|------------:|------------:|-----------------:|-----------------:|---------------------:|------------:|");
        foreach (var r in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| gantry-api | {r.Instances,9} | {r.Tenants,7} | {r.FirstCreatesSeconds,15:0.0} | {r.SeedPerSecond,14:0.0} | {r.ChangesPerSecond,9:0.0} | {r.P50,6:0.0} | {r.P99,6:0.0} | {r.Max,6:0.0} | {r.ListP50,11:0.00} | {r.ListP99,11:0.00} | {r.BusyListP50,16:0.00} | {r.BusyListP99,16:0.00} | {r.ServerCpuMsPerChange,20:0.00} | {r.PeakRssMb,11:0} |"));
        }

        return text.ToString();
    }

    private sealed record ApiResult(int Instances, int Tenants, double FirstCreatesSeconds, double SeedPerSecond, double ChangesPerSecond, double P50, double P99, double Max,
        double ListP50, double ListP99, double BusyListP50, double BusyListP99, double ServerCpuMsPerChange, double PeakRssMb)
    {
        /// <summary>With a memory limit: the group's peak charge (the process and the page cache charged to it).</summary>
        public double? GroupPeakMb { get; init; }

        public long? LimitHits { get; init; }

        public long? OomKills { get; init; }
    }
}
