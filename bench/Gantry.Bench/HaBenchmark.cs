using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gantry.Testing.Replicas;

namespace Gantry.Bench;

public sealed class HaOptions
{
    public int Clients { get; set; } = 64;

    public double Seconds { get; set; } = 20;

    public int Tenants { get; set; } = 16;

    public int PerTenant { get; set; } = 16;

    public int KillTrials { get; set; } = 200;

    public string? JsonPath { get; set; }
}

/// <summary>One measured phase: replicas, what was acknowledged per second, latency, and whether anything was lost.</summary>
public sealed record HaRow(int Replicas, int Acknowledged, int Refused, double ChangesPerSecond, double P50, double P99, double Max, int Lost, int UnacknowledgedInRemote);

/// <summary>The kill -9 trials: how many, what was acknowledged, and how much of it is missing.</summary>
public sealed record HaKillRow(int Trials, int Attempted, int Acknowledged, int Lost, double Seconds, string FsckRemote);

/// <summary>
/// <c>bench -- ha</c>: the same write load (64 clients replacing instances of 16 tenants, no If-Match) on one replica
/// and on three sharing PostgreSQL and a Git HTTP remote (the test harness's <see cref="ReplicaCluster"/>: real
/// processes on loopback); then <c>kill -9</c> trials on the three. Lost updates: acknowledged revisions the remote's
/// history of the instance does not hold.
/// </summary>
public sealed class HaBenchmark(HaOptions options)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public async Task RunAsync()
    {
        var rows = new List<HaRow>();
        HaKillRow? kills = null;
        foreach (var size in new[] { 1, 3 })
        {
            var cluster = ReplicaCluster.Create(size, new Dictionary<string, string> { ["Sealing__KeyPool__Capacity"] = "8" });
            await cluster.InitializeAsync();
            try
            {
                var tenants = Enumerable.Range(0, options.Tenants).Select(t => $"ha{t:D3}").ToList();
                foreach (var tenant in tenants)
                {
                    await cluster.CreateTenantAsync(tenant);
                }

                var warm = new ConcurrentDictionary<(string, string), string>();
                await Parallel.ForEachAsync(tenants, async (tenant, token) =>
                    warm[(tenant, "i0")] = (await RunnerApi.PutAsync(cluster.Replicas[0].Http, tenant, "i0", 1, cancellationToken: token)).Revision ?? "");
                rows.Add(await MeasureAsync(cluster, tenants, warm));
                Console.Error.WriteLine($"{size} replica(s): {rows[^1]}");
                foreach (var replica in cluster.Replicas)
                {
                    Console.Error.WriteLine($"  replica {replica.Port}: {await CommitterFiguresAsync(replica.Http)}");
                }

                if (size == 3 && options.KillTrials > 0)
                {
                    kills = await KillAsync(cluster);
                    Console.Error.WriteLine(kills.ToString());
                }
            }
            finally
            {
                await cluster.DisposeAsync();
            }
        }

        Console.WriteLine($"| replicas | clients | changes/s | p50 ms | p99 ms | max ms | refused | lost | unacknowledged in remote |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Replicas} | {options.Clients} | {r.ChangesPerSecond:0} | {r.P50:0} | {r.P99:0} | {r.Max:0} | {r.Refused} | {r.Lost} | {r.UnacknowledgedInRemote} |"));
        }

        if (kills is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kill -9: {kills.Trials} trials in {kills.Seconds:0} s, {kills.Attempted} writes, {kills.Acknowledged} acknowledged, {kills.Lost} lost; git fsck: {(kills.FsckRemote.Length == 0 ? "clean" : kills.FsckRemote)}"));
        }

        if (options.JsonPath is not null)
        {
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(new { rows, kills }, Indented));
        }
    }

    private async Task<HaRow> MeasureAsync(ReplicaCluster cluster, List<string> tenants, IReadOnlyDictionary<(string, string), string> warm)
    {
        var acknowledged = new ConcurrentBag<(string Tenant, string Name, WriteResult Result)>();
        var latencies = new ConcurrentBag<double>();
        var refused = 0;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(options.Seconds);
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(client => Task.Run(async () =>
        {
#pragma warning disable CA5394 // Which instance a client writes next needs no cryptographic randomness.
            var random = new Random(client);
            var http = cluster.Replicas[client % cluster.Replicas.Count].Http;
            while (clock.Elapsed < deadline)
            {
                var (tenant, name) = (tenants[random.Next(tenants.Count)], $"i{random.Next(options.PerTenant)}");
                var started = Stopwatch.GetTimestamp();
                var result = await RunnerApi.PutAsync(http, tenant, name, random.Next(20));
#pragma warning restore CA5394
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (result.Acknowledged)
                {
                    acknowledged.Add((tenant, name, result));
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;

        // Every acknowledged revision must be a commit that changed the instance's claim; commits nobody was told of
        // are counted apart (a write whose answer was lost), not as losses.
        var remote = RemoteHistory.Read(cluster.RemotePath);
        var lost = 0;
        var extra = 0;
        foreach (var instance in acknowledged.GroupBy(a => (a.Tenant, a.Name)))
        {
            var inRemote = remote.ClaimCommits(instance.Key.Tenant, instance.Key.Name).ToHashSet(StringComparer.Ordinal);
            var acked = instance.Select(a => a.Result.Revision!).ToHashSet(StringComparer.Ordinal);
            lost += acked.Count(r => !inRemote.Contains(r));
            extra += inRemote.Count(r => !acked.Contains(r) && warm.GetValueOrDefault(instance.Key) != r);
        }

        var sorted = latencies.Order().ToList();
        return new HaRow(cluster.Replicas.Count, acknowledged.Count, refused, acknowledged.Count / seconds,
            Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted.Count == 0 ? 0 : sorted[^1], lost, extra);
    }

    private async Task<HaKillRow> KillAsync(ReplicaCluster cluster)
    {
        var tenants = new List<string> { "hakill0", "hakill1", "hakill2" };
        foreach (var tenant in tenants)
        {
            await cluster.CreateTenantAsync(tenant);
            await RunnerApi.PutAsync(cluster.Replicas[0].Http, tenant, "warm", 1);
        }

        var outcome = await KillNineStorm.RunAsync(cluster, tenants, options.KillTrials, seed: 200);
        var missing = RemoteHistory.Read(cluster.RemotePath).MissingOrDoubled(outcome.Acknowledged);
        return new HaKillRow(options.KillTrials, outcome.Attempted, outcome.Acknowledged.Count, missing.Count, outcome.Seconds, RemoteHistory.Fsck(cluster.RemotePath));
    }

    /// <summary>
    /// Where a replica's committer spent its time, from its own /metrics: batches and their mean size, mean push time,
    /// refused pushes, and the mean wait for the remote's write lease by outcome.
    /// </summary>
    private static async Task<string> CommitterFiguresAsync(HttpClient http)
    {
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (!line.StartsWith("gantry_git_", StringComparison.Ordinal) || space < 0)
            {
                continue;
            }

            var name = line[..space];
            var brace = name.IndexOf('{', StringComparison.Ordinal);
            var outcome = name.Contains("outcome=\"", StringComparison.Ordinal) ? "/" + name.Split("outcome=\"")[1].Split('"')[0] : "";
            var key = (brace < 0 ? name : name[..brace]) + outcome;
            values[key] = values.GetValueOrDefault(key) + double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        double Mean(string histogram) => values.GetValueOrDefault(histogram + "_count") is > 0 and var count ? values.GetValueOrDefault(histogram + "_sum") / count : 0;
        var batches = values.GetValueOrDefault("gantry_git_batch_size_count");
        var lease = string.Join(", ", values.Keys.Where(k => k.StartsWith("gantry_git_lease_wait_seconds_count/", StringComparison.Ordinal))
            .Select(k => k.Split('/')[1])
            .Select(o => string.Create(CultureInfo.InvariantCulture,
                $"{o} {values[$"gantry_git_lease_wait_seconds_count/{o}"]:0}x {1000 * values.GetValueOrDefault($"gantry_git_lease_wait_seconds_sum/{o}") / values[$"gantry_git_lease_wait_seconds_count/{o}"]:0} ms")));
        return string.Create(CultureInfo.InvariantCulture,
            $"{batches:0} batches of {Mean("gantry_git_batch_size"):0.0}, push {1000 * Mean("gantry_git_push_duration_seconds"):0} ms, {values.GetValueOrDefault("gantry_git_fetch_duration_seconds_count"):0} fetches of {1000 * Mean("gantry_git_fetch_duration_seconds"):0} ms, build {1000 * Mean("gantry_git_commit_duration_seconds"):0} ms, {values.GetValueOrDefault("gantry_git_push_rejections_total"):0} refused; lease: {(lease.Length == 0 ? "none" : lease)}");
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
