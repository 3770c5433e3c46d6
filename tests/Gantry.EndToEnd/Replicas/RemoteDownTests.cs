using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Gantry.Testing.Replicas;
using Xunit.Abstractions;

namespace Gantry.EndToEnd.Replicas;

/// <summary>
/// The Git remote unreachable under load (nginx stopped for <c>GANTRY_HA_REMOTE_DOWN_SECONDS</c>, 30 by default): a
/// change that cannot be pushed is answered 503 with Retry-After, never acknowledged from memory; what was acknowledged
/// before, during and after is in the remote once it is back, and the replicas take writes again without a restart.
/// </summary>
[Collection(ReplicaClusterDefinition.Name)]
[Trait("Category", "Replicas")]
public sealed class RemoteDownTests(ReplicaCluster cluster, ITestOutputHelper output)
{
    private const int Writers = 6;

    public static int DownSeconds =>
        int.TryParse(Environment.GetEnvironmentVariable("GANTRY_HA_REMOTE_DOWN_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 30;

    [Fact]
    public async Task Git_remote_down_under_load_answers_503_with_Retry_After_and_loses_nothing_acknowledged()
    {
        const string tenant = "rd";
        await cluster.CreateTenantAsync(tenant);
        Assert.True((await RunnerApi.PutAsync(cluster.Replicas[0].Http, tenant, "warm", 1)).Acknowledged);

        var acknowledged = new ConcurrentBag<(string Tenant, string Name, WriteResult Result, string Phase)>();
        var refused = new ConcurrentBag<(WriteResult Result, string Phase)>();
        var phase = "before";
        var stop = 0;
        var storm = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var n = 0; Volatile.Read(ref stop) == 0; n++)
            {
                var replica = cluster.Replicas[(w + n) % ReplicaCluster.Size];
                var result = await RunnerApi.PutAsync(replica.Http, tenant, $"w{w}-n{n}", n % 20);
                var current = Volatile.Read(ref phase); // when the answer came
                if (result.Acknowledged)
                {
                    acknowledged.Add((tenant, $"w{w}-n{n}", result, current));
                }
                else
                {
                    refused.Add((result, current));
                    await Task.Delay(200); // a client that honoured Retry-After would wait longer; this one keeps the load on
                }
            }
        })).ToList();

        await Task.Delay(2000);
        Volatile.Write(ref phase, "down");
        cluster.Git.StopHttp();
        var down = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(DownSeconds));
        Volatile.Write(ref phase, "back");
        cluster.Git.StartHttp();
        await Task.Delay(3000);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(storm);

        // Refusals are 503 with Retry-After, and only while the remote was down (or just as it came back).
        Assert.All(refused, r => Assert.True(r.Result.Status == 503 && r.Result.RetryAfter > TimeSpan.Zero,
            $"{r.Phase}: answered {r.Result.Status} (Retry-After {r.Result.RetryAfter}) {r.Result.Problem}"));
        Assert.Contains(refused, r => r.Phase == "down");
        Assert.DoesNotContain(refused, r => r.Phase == "before");
        Assert.Contains(acknowledged, a => a.Phase == "back");

        var remote = RemoteHistory.Read(cluster.RemotePath);
        var missing = remote.MissingOrDoubled(acknowledged.Select(a => (a.Tenant, a.Name, a.Result)));
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged changes are missing or doubled:\n{string.Join('\n', missing.Take(10))}");
        Assert.Equal("", RemoteHistory.Fsck(cluster.RemotePath));

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"remote down {down.Elapsed.TotalSeconds:0} s: {acknowledged.Count(a => a.Phase == "before")} acknowledged before, {acknowledged.Count(a => a.Phase == "down")} while down, {acknowledged.Count(a => a.Phase == "back")} after; {refused.Count} refused, all 503 with Retry-After"));
    }
}
