using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Git.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gantry.Bench;

public sealed class StatusOptions
{
    public int[] Instances { get; set; } = [1_000, 10_000];

    public int Tenants { get; set; } = 10;

    public int Clients { get; set; } = 64;

    public int Streams { get; set; } = 1_000;

    public double Seconds { get; set; } = 10;

    public string? JsonPath { get; set; }
}

/// <summary>
/// Deployment status over HTTP against a real Gantry.Server process (embedded defaults): how many signed Flux events
/// the webhook accepts per second; how long after a change is acknowledged the cluster's engine is told of it (a loopback
/// Flux Receiver in this process, the commit order read from the repository); and how fast status events reach many open
/// Server-Sent-Event streams while writers change instances.
/// </summary>
public sealed class StatusBenchmark(StatusOptions options)
{
    private const int NotifyWriters = 8;

    public async Task RunAsync()
    {
        var results = new List<StatusResult>();
        foreach (var size in options.Instances)
        {
            results.Add(await RunSizeAsync(size));
            Console.WriteLine(Table(results));
        }

        if (options.JsonPath is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var json = new JsonArray(results.Select(r => (JsonNode)JsonSerializer.SerializeToNode(r)!).ToArray());
            await File.WriteAllTextAsync(path, new JsonObject { ["results"] = json }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    private async Task<StatusResult> RunSizeAsync(int size)
    {
        var data = Path.Combine(Path.GetTempPath(), $"gantry-status-bench-{Guid.NewGuid():N}");
        var port = ApiBenchmark.FreePort();
        var server = ApiBenchmark.StartServer(data, port, sealingKeyBits: 2048, keyPool: options.Tenants,
            new Dictionary<string, string> { ["Status__NotifyAllowLoopback"] = "true" }); // the bench's receiver is on loopback
        await using var receiver = await Receiver.StartAsync();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromMinutes(2),
            };
            await ApiBenchmark.WaitForReadyAsync(http, server);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await ApiBenchmark.LoginAsync(http));
            var tenants = Enumerable.Range(0, options.Tenants).Select(t => $"s{t:D4}").ToList();
            foreach (var tenant in tenants)
            {
                await ApiBenchmark.Expect(http.PostAsJsonAsync("/api/v1/tenants", new { name = tenant }), HttpStatusCode.Created);
            }

            await Parallel.ForEachAsync(Enumerable.Range(0, size), new ParallelOptions { MaxDegreeOfParallelism = options.Clients }, async (i, cancel) =>
                await ApiBenchmark.Expect(http.PutAsJsonAsync(InstanceUrl(tenants, i), new { offering = "qdrant" }, cancel), HttpStatusCode.Created));

            var registered = await (await http.PostAsJsonAsync("/api/v1/clusters", new { name = "bench", engine = "flux", tenants, notifyUrl = receiver.Url }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            var secret = registered.GetProperty("webhookSecret").GetString()!;
            receiver.Secret = secret;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {size} instances over {tenants.Count} tenants (server pid {server.Id})"));

            var events = await EventsAsync(http, tenants, size, secret);
            var notify = await NotificationsAsync(http, tenants, size, receiver, Path.Combine(data, "state.git"));
            var fanOut = await FanOutAsync(http, tenants, size);
            return new StatusResult(size, events.PerSecond, events.P50, events.P99, events.Refused, notify.Notified, notify.P50, notify.P99,
                fanOut.Streams, fanOut.Delivered, fanOut.P50, fanOut.P99, fanOut.ChangesPerSecond, ApiBenchmark.PeakRssMb(server.Id));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Signed Flux events from <see cref="StatusOptions.Clients"/> senders for the measured time.</summary>
    private async Task<(double PerSecond, double P50, double P99, long Refused)> EventsAsync(HttpClient http, List<string> tenants, int size, string secret)
    {
        // Bodies are made and signed up front (as Flux does before sending); every event is about generation 1, the
        // instances' current change, so each one moves a status and appends to the timeline.
        var now = DateTimeOffset.UtcNow;
        var reasons = new[] { ("info", "Progressing"), ("info", "UpgradeSucceeded"), ("error", "UpgradeFailed"), ("error", "HealthCheckFailed") };
        var bodies = Enumerable.Range(0, Math.Min(size, 4_096)).Select(i =>
        {
            var (severity, reason) = reasons[i % reasons.Length];
            var body = FluxEvent(tenants[i % tenants.Count], $"db{i / tenants.Count}", severity, reason, now);
            return (body, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        }).ToArray();

        // Warm the path up before timing it.
        await SendEventsAsync(http, bodies, TimeSpan.FromSeconds(2));
        var measured = Stopwatch.StartNew();
        var (latencies, refused) = await SendEventsAsync(http, bodies, TimeSpan.FromSeconds(options.Seconds));
        var perSecond = latencies.Count / measured.Elapsed.TotalSeconds;
        latencies.Sort();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events: {latencies.Count} accepted, {refused} refused"));
        return (perSecond, Percentile(latencies, 0.5), Percentile(latencies, 0.99), refused);
    }

    private async Task<(List<double> Latencies, long Refused)> SendEventsAsync(HttpClient http, (byte[] Body, string Signature)[] bodies, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long refused = 0;
        var all = new ConcurrentBag<List<double>>();
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async c =>
        {
            var own = new List<double>();
            all.Add(own);
            for (var n = c; Stopwatch.GetTimestamp() < deadline; n += options.Clients)
            {
                var (body, signature) = bodies[n % bodies.Length];
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/flux/bench") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("X-Signature", signature);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }
            }
        }));
        return ([.. all.SelectMany(l => l)], refused);
    }

    /// <summary>
    /// A few writers scale instances; each acknowledged commit waits for the first notification the receiver gets of it
    /// or of a later commit (the notifier sends the newest revision per round, which covers the ones before it).
    /// </summary>
    private async Task<(int Notified, double P50, double P99)> NotificationsAsync(HttpClient http, List<string> tenants, int size, Receiver receiver, string repository)
    {
        receiver.Clear();
        var acknowledged = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, NotifyWriters).Select(async c =>
        {
            var random = new Random(c);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                using var response = await http.PostAsJsonAsync($"{InstanceUrl(tenants, random.Next(size))}/scale", new { replicas = 1 + random.Next(5) });
                var at = Stopwatch.GetTimestamp();
                response.EnsureSuccessStatusCode();
                var revision = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetString()!;
                acknowledged[revision] = at;
            }
        }));
        await Task.Delay(1_000); // the last notifications

        // The branch's commits in order: a notification of commit k tells the engine of every commit up to k.
        var order = GitCli.Run(repository, "rev-list", "--reverse", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select((revision, index) => (revision, index)).ToDictionary(p => p.revision, p => p.index, StringComparer.Ordinal);
        var notifications = receiver.Received.Where(n => order.ContainsKey(n.Revision)).OrderBy(n => n.At).ToList();
        var latencies = new List<double>();
        foreach (var (revision, at) in acknowledged)
        {
            var position = order[revision];
            if (notifications.FirstOrDefault(n => order[n.Revision] >= position) is { } first)
            {
                // Gantry notifies right after the commit is recorded, which can be before the client reads its answer.
                latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(at, first.At).TotalMilliseconds));
            }
        }

        latencies.Sort();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"notifications: {acknowledged.Count} commits acknowledged, {latencies.Count} notified, {receiver.Received.Count} notifications, {receiver.BadSignatures} badly signed"));
        return (latencies.Count, Percentile(latencies, 0.5), Percentile(latencies, 0.99));
    }

    /// <summary><see cref="StatusOptions.Streams"/> tenant streams open while <see cref="StatusOptions.Clients"/> writers scale instances.</summary>
    private async Task<(int Streams, long Delivered, double P50, double P99, double ChangesPerSecond)> FanOutAsync(HttpClient http, List<string> tenants, int size)
    {
        using var streamsHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Streams + 16 })
        {
            BaseAddress = http.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        streamsHttp.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
        using var stop = new CancellationTokenSource();
        var delays = new ConcurrentBag<List<double>>();
        var opened = 0;
        var readers = Enumerable.Range(0, options.Streams).Select(s => Task.Run(async () =>
        {
            var own = new List<double>();
            delays.Add(own);
            using var response = await streamsHttp.GetAsync($"/api/v1/tenants/{tenants[s % tenants.Count]}/events/stream", HttpCompletionOption.ResponseHeadersRead, stop.Token);
            response.EnsureSuccessStatusCode();
            Interlocked.Increment(ref opened);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            try
            {
                while (await reader.ReadLineAsync(stop.Token) is { } line)
                {
                    if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        var now = DateTimeOffset.UtcNow;
                        using var document = JsonDocument.Parse(line.AsMemory(6));
                        own.Add((now - document.RootElement.GetProperty("receivedAt").GetDateTimeOffset()).TotalMilliseconds);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();

        while (Volatile.Read(ref opened) < options.Streams)
        {
            await Task.Delay(50);
        }

        var changes = 0L;
        var measured = Stopwatch.StartNew();
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async c =>
        {
            var random = new Random(1_000 + c);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await ApiBenchmark.Expect(http.PostAsJsonAsync($"{InstanceUrl(tenants, random.Next(size))}/scale", new { replicas = 1 + random.Next(5) }), HttpStatusCode.OK);
                Interlocked.Increment(ref changes);
            }
        }));
        var changesPerSecond = changes / measured.Elapsed.TotalSeconds;
        await Task.Delay(1_000);
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        var all = delays.SelectMany(d => d).Order().ToList();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fan-out: {options.Streams} streams, {all.Count} deliveries of {changes} changes"));
        return (options.Streams, all.Count, Percentile(all, 0.5), Percentile(all, 0.99), changesPerSecond);
    }

    private static byte[] FluxEvent(string tenant, string instance, string severity, string reason, DateTimeOffset timestamp) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            involvedObject = new { kind = "HelmRelease", @namespace = tenant, name = instance, apiVersion = "helm.toolkit.fluxcd.io/v2" },
            severity,
            timestamp = timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            message = $"{reason} for release {tenant}/{instance}",
            reason,
            metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["gantry-generation"] = "1",
                ["gantry-instance"] = instance,
                ["gantry-tenant"] = tenant,
                ["revision"] = "1.13.6",
            },
            reportingController = "helm-controller",
        });

    private static string InstanceUrl(List<string> tenants, int i) => $"/api/v1/tenants/{tenants[i % tenants.Count]}/instances/db{i / tenants.Count}";

    private static double Percentile(List<double> sorted, double p) => ApiBenchmark.Percentile(sorted, p);

    private string Table(IEnumerable<StatusResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{options.Clients} clients, {options.Seconds} s per phase, {options.Tenants} tenants, one Flux cluster bound to all; targets: events/s >= 5000, notify p99 <= 100 ms, fan-out p99 <= 250 ms."));
        text.AppendLine("| instances | events/s | event p50 ms | event p99 ms | refused | commits notified | notify p50 ms | notify p99 ms | streams | deliveries | fan-out p50 ms | fan-out p99 ms | changes/s while streaming | peak RSS MB |");
        text.AppendLine("|----------:|---------:|-------------:|-------------:|--------:|-----------------:|--------------:|--------------:|--------:|-----------:|---------------:|---------------:|--------------------------:|------------:|");
        foreach (var r in results)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Instances,9} | {r.EventsPerSecond,8:0} | {r.EventP50,12:0.0} | {r.EventP99,12:0.0} | {r.Refused,7} | {r.Notified,16} | {r.NotifyP50,13:0.0} | {r.NotifyP99,13:0.0} | {r.Streams,7} | {r.Deliveries,10} | {r.FanOutP50,14:0.0} | {r.FanOutP99,14:0.0} | {r.ChangesPerSecond,25:0} | {r.PeakRssMb,11:0} |"));
        }

        return text.ToString();
    }

    private sealed record StatusResult(int Instances, double EventsPerSecond, double EventP50, double EventP99, long Refused, int Notified, double NotifyP50,
        double NotifyP99, int Streams, long Deliveries, double FanOutP50, double FanOutP99, double ChangesPerSecond, double PeakRssMb);

    /// <summary>A Flux notification-controller Receiver on loopback: checks each call's signature and notes when it came.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Revision, long At)> _received = new();
        private long _badSignatures;

        private Receiver(WebApplication app) => _app = app;

        public string Url { get; private set; } = "";

        public string Secret { get; set; } = "";

        public IReadOnlyList<(string Revision, long At)> Received => [.. _received];

        public long BadSignatures => Interlocked.Read(ref _badSignatures);

        public void Clear() => _received.Clear();

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hook/{digest}", async (HttpContext context) =>
            {
                var at = Stopwatch.GetTimestamp();
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(receiver.Secret), body.ToArray()));
                if (context.Request.Headers["X-Signature"] != expected)
                {
                    Interlocked.Increment(ref receiver._badSignatures);
                    return Results.BadRequest();
                }

                var revision = JsonDocument.Parse(body.ToArray()).RootElement.GetProperty("after").GetString()!;
                receiver._received.Enqueue((revision, at));
                return Results.Ok();
            });
            await app.StartAsync();
            receiver.Url = app.Urls.First();
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
