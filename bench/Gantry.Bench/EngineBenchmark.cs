using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Gantry.Core.State;
using Gantry.Git;
using Gantry.Git.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gantry.Bench;

internal sealed class EngineOptions
{
    public int[] Instances { get; set; } = [1000, 20000, 100000];

    public string? JsonPath { get; set; }

    public int Writers { get; set; } = 256;

    public double Seconds { get; set; } = 8;

    public int NaiveChanges { get; set; } = 20;

    public string[] Approaches { get; set; } = ["gantry-local", "gantry-remote", "naive-git-cli"];

    public bool FlatLayout { get; set; }

    public GitCommitMode Mode { get; set; } = GitCommitMode.PerChange;

    public int MaxBatchSize { get; set; } = 512;
}

internal sealed record EngineResult(
    string Approach,
    int Instances,
    int Changes,
    double ChangesPerSecond,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    double PeakRssMb,
    long? BytesPushed,
    double? MeanBatchSize,
    double? MeanPushMs,
    double? RemoteLimitChangesPerSecond);

/// <summary>
/// Seeds a repository with N tenant folders, then offers changes from concurrent writers to each approach and
/// measures throughput and latency to durable acknowledgement.
/// </summary>
internal sealed class EngineBenchmark(EngineOptions options)
{
    private static readonly ChangeAuthor Author = new("Bench Writer", "bench@example.com");

    public async Task RunAsync()
    {
        using var work = new TempFolder("gantry-bench");
        using var server = options.Approaches.Any(a => a != "gantry-local") ? new GitHttpServer() : null;
        var results = new List<EngineResult>();
        foreach (var n in options.Instances)
        {
            var seed = work.Combine($"seed-{n}.git");
            var seedTime = Stopwatch.StartNew();
            await SeedAsync(seed, n);
            Console.Error.WriteLine($"seeded {n} tenants in {seedTime.Elapsed.TotalSeconds:0.0} s");
            foreach (var approach in options.Approaches)
            {
                // Start each approach from a compacted heap, so that peak RSS is about the approach, not the seeding.
                System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var result = approach switch
                {
                    "gantry-local" => await RunGantryAsync(approach, n, Copy(seed, work.Combine($"local-{n}.git")), remote: null, server),
                    "gantry-remote" => await RunGantryAsync(approach, n, Copy(seed, work.Combine($"mirror-{n}.git")), RemoteCopy(seed, server!, $"remote-{n}.git"), server),
                    "naive-git-cli" => RunNaive(n, seed, RemoteCopy(seed, server!, $"naive-{n}.git"), server!, work),
                    _ => throw new ArgumentException($"unknown approach {approach}"),
                };
                results.Add(result);
                Console.Error.WriteLine($"{approach} at {n}: {result.ChangesPerSecond:0.0} changes/s, p99 {result.P99Ms:0.0} ms");
            }

            // Remove this size's repositories now: a 100,000-tenant work tree takes a while to delete.
            var cleanup = Stopwatch.StartNew();
            RemoveTrees([work.Path, .. server is null ? Array.Empty<string>() : [server.RepositoriesPath]], $"-{n}");
            Console.Error.WriteLine($"removed the {n}-tenant repositories in {cleanup.Elapsed.TotalSeconds:0.0} s");
            GC.Collect();
        }

        PrintTable(results);
        if (options.JsonPath is { } json)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(json))!);
            await File.WriteAllTextAsync(json, ToJson(results));
        }
    }

    private string TenantFolder(int tenant) =>
        options.FlatLayout ? $"tenants/tenant-{tenant}" : StateLayout.TenantFolder($"tenant-{tenant}");

    private async Task SeedAsync(string path, int n)
    {
        var puts = new Dictionary<string, ReadOnlyMemory<byte>>(n * 2);
        for (var t = 0; t < n; t++)
        {
            var folder = TenantFolder(t);
            puts[folder + "/values.yaml"] = Encoding.UTF8.GetBytes($"tenant: tenant-{t}\nreplicas: 1\nimage: qdrant/qdrant:v1.12.0\n");
            puts[folder + "/instance.yaml"] = Encoding.UTF8.GetBytes($"offering: qdrant\nname: main\ntenant: tenant-{t}\n");
        }

        await using var store = await StartAsync(new GitOptions { RepositoryPath = path, SyncToDisk = false });
        await store.CommitAsync(new Change { Puts = puts, Author = Author, Message = $"Seed {n} tenants" });
    }

    private static async Task<GitStateStore> StartAsync(GitOptions gitOptions, GitMetrics? metrics = null)
    {
        var store = new GitStateStore(Options.Create(gitOptions), TimeProvider.System, NullLogger<GitStateStore>.Instance, metrics);
        await store.StartAsync();
        return store;
    }

    private async Task<EngineResult> RunGantryAsync(string approach, int n, string local, string? remote, GitHttpServer? server)
    {
        using var metrics = new GitMetrics();
        using var recorder = new MetricsRecorder();
        await using var store = await StartAsync(new GitOptions
        {
            RepositoryPath = local,
            Remote = remote is null ? null : server!.Url(remote),
            Username = remote is null ? null : GitHttpServer.User,
            Password = remote is null ? null : server!.Password,
            CommitMode = options.Mode,
            MaxBatchSize = options.MaxBatchSize,
            SyncToDisk = true,
        }, metrics);

        using var rss = new RssSampler();
        var latencies = new List<double>[options.Writers];
        var deadline = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(options.Seconds);
        await Task.WhenAll(Enumerable.Range(0, options.Writers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = [];
            for (var k = 0; deadline.Elapsed < limit; k++)
            {
                var tenant = (int)(((long)k * options.Writers + w) * 7919 % n);
                var change = new Change
                {
                    Puts = new Dictionary<string, ReadOnlyMemory<byte>>
                    {
                        [TenantFolder(tenant) + "/values.yaml"] = Encoding.UTF8.GetBytes($"tenant: tenant-{tenant}\nreplicas: {k % 5 + 1}\nwriter: {w}\nimage: qdrant/qdrant:v1.12.0\n"),
                    },
                    Author = Author,
                    Message = $"Set replicas of tenant-{tenant}",
                    ChangeId = $"{w}-{k}",
                    Tenant = $"tenant-{tenant}",
                    Claim = "qdrant/main",
                };
                var started = Stopwatch.GetTimestamp();
                await store.CommitAsync(change);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        var elapsed = deadline.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToList();
        var meanBatch = recorder.Mean("gantry.git.batch.size");
        var meanPush = recorder.Mean("gantry.git.push.duration") * 1000;
        Console.Error.WriteLine($"  mean batch build+store {recorder.Mean("gantry.git.commit.duration") * 1000:0.0} ms, batch {meanBatch:0.0}, push {meanPush:0.0} ms");
        return Summarize(
            approach,
            n,
            all,
            elapsed,
            rss.PeakMb,
            remote is null ? null : store.BytesPushed,
            meanBatch,
            meanPush,
            meanBatch is { } b && meanPush is > 0 ? b / (meanPush.Value / 1000) : null);
    }

    private EngineResult RunNaive(int n, string seed, string remote, GitHttpServer server, TempFolder work)
    {
        var tree = work.Combine($"naive-work-{n}");
        GitCli.Run(work.Path, "clone", "--quiet", "--branch", "main", seed, tree);
        GitCli.Run(tree, "remote", "set-url", "origin", server.UrlWithCredentials(remote));
        GitCli.Run(tree, "fetch", "--quiet", "origin");
        using var rss = new RssSampler();
        var latencies = new List<double>();
        var total = Stopwatch.StartNew();
        for (var k = 0; k < options.NaiveChanges; k++)
        {
            var started = Stopwatch.GetTimestamp();
            var tenant = (int)((long)k * 7919 % n);
            var file = TenantFolder(tenant) + "/values.yaml";
            File.WriteAllText(Path.Combine(tree, file), $"tenant: tenant-{tenant}\nreplicas: {k % 5 + 2}\nwriter: naive\n");
            GitCli.Run(tree, "add", file);
            GitCli.Run(tree, "commit", "--quiet", "-m", $"Set replicas of tenant-{tenant}");
            GitCli.Run(tree, "push", "--quiet", "origin", "main");
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return Summarize("naive-git-cli", n, latencies, total.Elapsed.TotalSeconds, rss.PeakMb, null, 1, null, null);
    }

    private static EngineResult Summarize(string approach, int n, List<double> latencies, double seconds, double peakMb, long? bytes, double? batch, double? push, double? remoteLimit)
    {
        latencies.Sort();
        double At(double q) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        return new EngineResult(approach, n, latencies.Count, latencies.Count / seconds, At(0.50), At(0.99), latencies.LastOrDefault(), peakMb, bytes, batch, push, remoteLimit);
    }

    private static void RemoveTrees(string[] folders, string suffix)
    {
        var targets = folders.SelectMany(f => Directory.EnumerateDirectories(f))
            .Where(d => Path.GetFileName(d).EndsWith(suffix, StringComparison.Ordinal) || Path.GetFileName(d).EndsWith(suffix + ".git", StringComparison.Ordinal))
            .ToList();
        if (targets.Count == 0)
        {
            return;
        }

        var start = new ProcessStartInfo("rm") { UseShellExecute = false };
        start.ArgumentList.Add("-rf");
        targets.ForEach(start.ArgumentList.Add);
        using var rm = Process.Start(start)!;
        rm.WaitForExit();
    }

    private static string Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        return to;
    }

    private static string RemoteCopy(string seed, GitHttpServer server, string name)
    {
        var path = Copy(seed, Path.Combine(server.RepositoriesPath, name));
        GitCli.Run(path, "config", "http.receivepack", "true");
        return name;
    }

    private static void PrintTable(List<EngineResult> results)
    {
        Console.WriteLine($"| {"approach",-14} | {"instances",9} | {"changes",7} | {"changes/s",9} | {"p50 ms",7} | {"p99 ms",7} | {"max ms",7} | {"peak RSS MB",11} | {"bytes pushed",12} | {"batch",6} | {"push ms",7} | {"remote limit/s",14} |");
        Console.WriteLine($"|{new string('-', 16)}|{new string('-', 11)}|{new string('-', 9)}|{new string('-', 11)}|{new string('-', 9)}|{new string('-', 9)}|{new string('-', 9)}|{new string('-', 13)}|{new string('-', 14)}|{new string('-', 8)}|{new string('-', 9)}|{new string('-', 16)}|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Approach,-14} | {r.Instances,9} | {r.Changes,7} | {r.ChangesPerSecond,9:0.0} | {r.P50Ms,7:0.0} | {r.P99Ms,7:0.0} | {r.MaxMs,7:0.0} | {r.PeakRssMb,11:0} | {(r.BytesPushed?.ToString(CultureInfo.InvariantCulture) ?? "-"),12} | {(r.MeanBatchSize is { } b ? b.ToString("0.0", CultureInfo.InvariantCulture) : "-"),6} | {(r.MeanPushMs is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) : "-"),7} | {(r.RemoteLimitChangesPerSecond is { } l ? l.ToString("0", CultureInfo.InvariantCulture) : "-"),14} |"));
        }
    }

    private static string ToJson(List<EngineResult> results) => JsonSerializer.Serialize(new
    {
        results = results.Select(r => new Dictionary<string, object?>
        {
            ["approach"] = r.Approach,
            ["instances"] = r.Instances,
            ["changes"] = r.Changes,
            ["changes_per_s"] = Math.Round(r.ChangesPerSecond, 1),
            ["p50_ms"] = Math.Round(r.P50Ms, 2),
            ["p99_ms"] = Math.Round(r.P99Ms, 2),
            ["max_ms"] = Math.Round(r.MaxMs, 2),
            ["peak_rss_mb"] = Math.Round(r.PeakRssMb, 0),
            ["bytes_pushed"] = r.BytesPushed,
            ["mean_batch_size"] = r.MeanBatchSize is { } b ? Math.Round(b, 1) : null,
            ["mean_push_ms"] = r.MeanPushMs is { } p ? Math.Round(p, 1) : null,
            ["remote_limit_changes_per_s"] = r.RemoteLimitChangesPerSecond is { } l ? Math.Round(l, 0) : null,
        }),
    }, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Samples this process's resident set while an approach runs.</summary>
    private sealed class RssSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public RssSampler()
        {
            _peak = Environment.WorkingSet;
            _timer = new Timer(_ => Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), Environment.WorkingSet)), null, 0, 50);
        }

        public double PeakMb => Math.Max(Interlocked.Read(ref _peak), Environment.WorkingSet) / (1024.0 * 1024.0);

        public void Dispose() => _timer.Dispose();
    }

    /// <summary>Listens to the store's own meter "Gantry.Git": the benchmark reads what the metrics endpoint will.</summary>
    private sealed class MetricsRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, (double Sum, long Count)> _sums = [];
        private readonly Lock _gate = new();

        public MetricsRecorder()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GitMetrics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((i, v, _, _) => Add(i.Name, v));
            _listener.SetMeasurementEventCallback<double>((i, v, _, _) => Add(i.Name, v));
            _listener.Start();
        }

        public double? Mean(string name)
        {
            lock (_gate)
            {
                return _sums.TryGetValue(name, out var s) && s.Count > 0 ? s.Sum / s.Count : null;
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(string name, double value)
        {
            lock (_gate)
            {
                var s = _sums.GetValueOrDefault(name);
                _sums[name] = (s.Sum + value, s.Count + 1);
            }
        }
    }
}
