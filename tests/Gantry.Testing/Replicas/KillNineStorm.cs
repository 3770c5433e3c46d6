using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gantry.Testing.Replicas;

/// <summary>What a run of kill trials did: the acknowledged writes (each to an instance written once), and counts.</summary>
public sealed record KillNineOutcome(
    IReadOnlyList<(string Tenant, string Name, WriteResult Result)> Acknowledged,
    int Attempted,
    IReadOnlyDictionary<int, int> Answers,
    double Seconds);

/// <summary>
/// <c>kill -9</c> of a random replica at a random moment of a write storm, <c>trials</c> times: writers create new
/// instances on the replicas that are up; each victim is started again in the background while the next trials run
/// on the others. Used by the fault tests (50 trials) and by <c>bench -- ha</c> (200).
/// </summary>
public static class KillNineStorm
{
    public static async Task<KillNineOutcome> RunAsync(ReplicaCluster cluster, IReadOnlyList<string> tenants, int trials, int seed, int writers = 6)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(tenants);
#pragma warning disable CA5394 // The moments of the kills need no cryptographic randomness; the seed is printed to replay them.
        var random = new Random(seed);
        var acknowledged = new ConcurrentBag<(string Tenant, string Name, WriteResult Result)>();
        var answers = new ConcurrentDictionary<int, int>();
        var restarts = new Task[cluster.Replicas.Count];
        Array.Fill(restarts, Task.CompletedTask);
        var clock = Stopwatch.StartNew();
        var attempted = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            // A victim among the replicas that are up (the others may still be starting after their own kill).
            while (!restarts.Any(r => r.IsCompleted))
            {
                await Task.WhenAny(restarts.Where(r => !r.IsCompleted));
            }

            foreach (var failed in restarts.Where(r => r.IsFaulted))
            {
                await failed; // a replica that does not come back ends the run here
            }

            var up = cluster.Replicas.Where(r => restarts[r.Index].IsCompleted).ToList();
            var victim = up[random.Next(up.Count)];
            var stop = 0;
            var trialNumber = trial;
            var storm = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
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
                    var (tenant, name) = (tenants[w % tenants.Count], $"k{trialNumber}-w{w}-n{n}");
                    Interlocked.Increment(ref attempted);
                    var result = await RunnerApi.PutAsync(replica.Http, tenant, name, n % 20);
                    answers.AddOrUpdate(result.Status, 1, (_, c) => c + 1);
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
        return new KillNineOutcome([.. acknowledged], attempted, answers, clock.Elapsed.TotalSeconds);
    }
}
