using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
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
    private const int Writers = 6;
    private const int Tenants = 3;

    public static int Trials =>
        int.TryParse(Environment.GetEnvironmentVariable("GANTRY_HA_KILL_TRIALS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 50;

    [Fact]
    public async Task Kill_9_of_a_replica_in_a_write_storm_loses_no_acknowledged_change()
    {
        var seed = Environment.GetEnvironmentVariable("CI") == "true" ? 16 : Random.Shared.Next();
        output.WriteLine($"seed {seed}, {Trials} trials");
#pragma warning disable CA5394 // The moments of the kills need no cryptographic randomness; the seed is printed to replay them.
        var random = new Random(seed);
        var tenants = Enumerable.Range(0, Tenants).Select(t => $"kn{t}").ToList();
        foreach (var tenant in tenants)
        {
            await cluster.CreateTenantAsync(tenant);
            Assert.True((await RunnerApi.PutAsync(cluster.Replicas[0].Http, tenant, "warm", 1)).Acknowledged); // the tenant's sealing key
        }

        var acknowledged = new ConcurrentBag<(string Tenant, string Name, WriteResult Result)>();
        var restarts = new Task[ReplicaCluster.Size];
        Array.Fill(restarts, Task.CompletedTask);
        var clock = Stopwatch.StartNew();
        var attempted = 0;
        var answers = new ConcurrentDictionary<int, int>();
        for (var trial = 0; trial < Trials; trial++)
        {
            // A victim among the replicas that are up (the others may still be starting after their own kill).
            while (!restarts.Any(r => r.IsCompleted))
            {
                await Task.WhenAny(restarts.Where(r => !r.IsCompleted));
            }

            foreach (var failed in restarts.Where(r => r.IsFaulted))
            {
                await failed; // a replica that does not come back fails the test here
            }

            var up = cluster.Replicas.Where(r => restarts[r.Index].IsCompleted).ToList();
            var victim = up[random.Next(up.Count)];
            var stop = 0;
            var trialNumber = trial;
            var storm = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var targets = up.ToList();
                for (var n = 0; Volatile.Read(ref stop) == 0; n++)
                {
                    if (targets.Count == 0)
                    {
                        await Task.Delay(10); // every replica this writer used is down: wait for the end of the trial
                        continue;
                    }

                    var replica = targets[(w + n) % targets.Count];
                    var (tenant, name) = (tenants[w % Tenants], $"k{trialNumber}-w{w}-n{n}");
                    Interlocked.Increment(ref attempted);
                    var result = await RunnerApi.PutAsync(replica.Http, tenant, name, n % 20);
                    answers.AddOrUpdate(result.Status, 1, (_, c) => c + 1);
                    if (result.Status >= 500)
                    {
                        output.WriteLine($"{tenant}/{name} on replica {replica.Index}: {result.Status} {result.Problem}");
                    }
                    if (result.Acknowledged)
                    {
                        acknowledged.Add((tenant, name, result));
                    }
                    else if (result.Status == 0)
                    {
                        targets.Remove(replica); // no answer: it was killed, so the writer goes on with the others
                    }
                }
            })).ToList();

            await Task.Delay(random.Next(100, 1500)); // the restarts of earlier victims run meanwhile
            victim.KillHard();
            await Task.Delay(random.Next(0, 100));
            Volatile.Write(ref stop, 1);
            await Task.WhenAll(storm);
            restarts[victim.Index] = victim.RestartAsync();
        }
#pragma warning restore CA5394

        await Task.WhenAll(restarts);
        var stormSeconds = clock.Elapsed.TotalSeconds;

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

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Trials} kills in {stormSeconds:0.0} s; {attempted} writes attempted, {acknowledged.Count} acknowledged, all in the remote once; fsck clean on the remote and 3 clones; restart to ready p50 {Median(cluster.Replicas.SelectMany(r => r.StartSeconds)):0.0} s; answers {string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key}: {a.Value}"))} (0: no answer)"));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
