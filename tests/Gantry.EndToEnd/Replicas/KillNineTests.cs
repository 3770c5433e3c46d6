using System.Globalization;
using Gantry.Testing.Replicas;
using Xunit.Abstractions;

namespace Gantry.EndToEnd.Replicas;

/// <summary>
/// <c>kill -9</c> of a replica in the middle of a write storm, at random moments, many times over: whatever was
/// acknowledged is in the remote exactly once and readable through every replica, the repositories are sound and the
/// killed replica takes writes again once restarted. <c>GANTRY_HA_KILL_TRIALS</c> sets the number of trials (50).
/// </summary>
[Collection(ReplicaClusterDefinition.Name)]
[Trait("Category", "Replicas")]
public sealed class KillNineTests(ReplicaCluster cluster, ITestOutputHelper output)
{
    private const int Tenants = 3;

    public static int Trials =>
        int.TryParse(Environment.GetEnvironmentVariable("GANTRY_HA_KILL_TRIALS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 50;

    [Fact]
    public async Task Kill_9_of_a_replica_in_a_write_storm_loses_no_acknowledged_change()
    {
        var seed = Environment.GetEnvironmentVariable("CI") == "true" ? 16 : Random.Shared.Next();
        output.WriteLine($"seed {seed}, {Trials} trials");
        var tenants = Enumerable.Range(0, Tenants).Select(t => $"kn{t}").ToList();
        foreach (var tenant in tenants)
        {
            await cluster.CreateTenantAsync(tenant);
            Assert.True((await RunnerApi.PutAsync(cluster.Replicas[0].Http, tenant, "warm", 1)).Acknowledged); // the tenant's sealing key
        }

        var outcome = await KillNineStorm.RunAsync(cluster, tenants, Trials, seed);
        var acknowledged = outcome.Acknowledged.ToList();

        // The queue resumes: every replica, each killed at least once, takes a write that lands.
        foreach (var replica in cluster.Replicas)
        {
            var after = await RunnerApi.PutAsync(replica.Http, tenants[0], $"after-{replica.Index}", 2);
            Assert.True(after.Acknowledged, $"replica {replica.Index} after restart answered {after.Status} {after.Problem}");
            acknowledged.Add((tenants[0], $"after-{replica.Index}", after));
        }

        var remote = RemoteHistory.Read(cluster.RemotePath);
        var missing = remote.MissingOrDoubled(acknowledged);
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged changes are missing or doubled:\n{string.Join('\n', missing.Take(10))}");
        Assert.Equal("", RemoteHistory.Fsck(cluster.RemotePath));
        foreach (var replica in cluster.Replicas)
        {
            Assert.Equal("", RemoteHistory.Fsck(Path.Combine(replica.DataDir, "state.git")));
        }

        // Every acknowledged change is what the replicas answer, with its revision as ETag.
        var reads = acknowledged.Select((a, i) => (a, replica: cluster.Replicas[i % ReplicaCluster.Size])).ToList();
        foreach (var ((tenant, name, result), replica) in reads)
        {
            var read = await RunnerApi.GetAsync(replica.Http, tenant, name);
            Assert.True(read.Revision == result.Revision && read.Uuid == result.Uuid,
                $"{tenant}/{name} on replica {replica.Index}: {read.Status} {read.Revision}, acknowledged {result.Revision}");
        }

        // A replica killed between its push and its index row left a write intent; the replicas' repair passes make
        // every row agree with the remote: each claim's generation is what GET answers, whoever wrote it.
        var (repaired, repairWait) = await WaitForIndexToAgreeAsync(RemoteHistory.Read(cluster.RemotePath), tenants);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{repaired} index rows behind the remote at first, all agreeing {repairWait.TotalSeconds:0.0} s later; {Trials} kills in {outcome.Seconds:0.0} s; {outcome.Attempted} writes attempted, {acknowledged.Count} acknowledged, all in the remote once; fsck clean on the remote and 3 clones; restart to ready p50 {Median(cluster.Replicas.SelectMany(r => r.StartSeconds)):0.0} s; answers {string.Join(", ", outcome.Answers.OrderBy(a => a.Key).Select(a => $"{a.Key}: {a.Value}"))} (0: no answer)"));
    }

    /// <summary>Reads every instance the remote has until each GET answers its claim's generation; how many did not at first, and how long it took.</summary>
    private async Task<(int Behind, TimeSpan Waited)> WaitForIndexToAgreeAsync(RemoteHistory remote, IReadOnlyList<string> tenants)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pending = tenants.SelectMany(t => remote.ClaimGenerations(t).Select(c => (Tenant: t, Name: c.Key, Generation: c.Value))).ToList();
        Assert.NotEmpty(pending);
        var disagreeing = new List<string>();
        int? behind = null;
        while (true)
        {
            disagreeing.Clear();
            var still = new List<(string Tenant, string Name, long Generation)>();
            foreach (var (claim, i) in pending.Select((c, i) => (c, i)))
            {
                var read = await RunnerApi.GetAsync(cluster.Replicas[i % ReplicaCluster.Size].Http, claim.Tenant, claim.Name);
                if (read.Status != 200 || read.Generation != claim.Generation)
                {
                    still.Add(claim);
                    disagreeing.Add($"{claim.Tenant}/{claim.Name}: GET {read.Status} generation {read.Generation}, the remote's claim {claim.Generation}");
                }
            }

            pending = still;
            behind ??= pending.Count;
            if (pending.Count == 0 || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.True(pending.Count == 0, $"{pending.Count} index rows disagree with the remote after {clock.Elapsed.TotalSeconds:0} s:\n{string.Join('\n', disagreeing.Take(10))}");
        return (behind.Value, clock.Elapsed);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
