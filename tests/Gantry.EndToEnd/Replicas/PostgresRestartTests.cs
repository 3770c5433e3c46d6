using System.Collections.Concurrent;
using System.Globalization;
using Gantry.Testing.Replicas;
using Xunit.Abstractions;

namespace Gantry.EndToEnd.Replicas;

/// <summary>
/// PostgreSQL restarted (fast shutdown, 3 s down) while three replicas take writes: a change the database could not
/// record is answered 503 with Retry-After, what was acknowledged is in the remote once and read back with its revision,
/// and every replica takes writes again without a restart of its own.
/// </summary>
[Collection(ReplicaClusterDefinition.Name)]
[Trait("Category", "Replicas")]
public sealed class PostgresRestartTests(ReplicaCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task PostgreSQL_restarted_under_load_loses_nothing_acknowledged_and_the_replicas_recover()
    {
        const string tenant = "pgr";
        await cluster.CreateTenantAsync(tenant);
        Assert.True((await RunnerApi.PutAsync(cluster.Replicas[0].Http, tenant, "warm", 1)).Acknowledged);

        var acknowledged = new ConcurrentBag<(string Tenant, string Name, WriteResult Result)>();
        var refused = new ConcurrentBag<WriteResult>();
        var stop = 0;
        var storm = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (var n = 0; Volatile.Read(ref stop) == 0; n++)
            {
                var replica = cluster.Replicas[(w + n) % ReplicaCluster.Size];
                var result = await RunnerApi.PutAsync(replica.Http, tenant, $"w{w}-n{n}", n % 20);
                if (result.Acknowledged)
                {
                    acknowledged.Add((tenant, $"w{w}-n{n}", result));
                }
                else
                {
                    refused.Add(result);
                    await Task.Delay(100);
                }
            }
        })).ToList();

        await Task.Delay(2000);
        await cluster.Postgres.RestartAsync(TimeSpan.FromSeconds(3));
        await Task.Delay(4000);
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(storm);

        Assert.All(refused, r => Assert.True(r.Status == 503 && r.RetryAfter > TimeSpan.Zero, $"answered {r.Status} (Retry-After {r.RetryAfter}) {r.Problem}"));
        foreach (var replica in cluster.Replicas)
        {
            var after = await RunnerApi.PutAsync(replica.Http, tenant, $"after-{replica.Index}", 2);
            Assert.True(after.Acknowledged, $"replica {replica.Index} after the restart answered {after.Status} {after.Problem}");
            acknowledged.Add((tenant, $"after-{replica.Index}", after));
        }

        var remote = RemoteHistory.Read(cluster.RemotePath);
        var missing = remote.MissingOrDoubled(acknowledged);
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged changes are missing or doubled:\n{string.Join('\n', missing.Take(10))}");
        foreach (var (name, result, replica) in acknowledged.Select((a, i) => (a.Name, a.Result, cluster.Replicas[i % ReplicaCluster.Size])))
        {
            var read = await RunnerApi.GetAsync(replica.Http, tenant, name);
            Assert.True(read.Revision == result.Revision && read.Uuid == result.Uuid, $"{name} on replica {replica.Index}: {read.Status} {read.Revision}, acknowledged {result.Revision}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PostgreSQL restarted (3 s down): {acknowledged.Count} writes acknowledged, all in the remote once; {refused.Count} answered 503 with Retry-After"));
    }
}
