using System.Collections.Concurrent;
using Gantry.Testing.Replicas;
using Xunit.Abstractions;

namespace Gantry.EndToEnd.Replicas;

/// <summary>Three replicas on one database and one remote, over HTTP: nothing lost, nothing doubled, no silent overwrite.</summary>
[Collection(ReplicaClusterDefinition.Name)]
[Trait("Category", "Replicas")]
public sealed class MultiReplicaTests(ReplicaCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Concurrent_writes_on_three_replicas_are_each_in_the_remote_exactly_once()
    {
        var shared = "mr-shared";
        var own = Enumerable.Range(0, ReplicaCluster.Size).Select(i => $"mr-own{i}").ToList();
        foreach (var tenant in own.Prepend(shared))
        {
            await cluster.CreateTenantAsync(tenant);
        }

        // 12 clients, 4 per replica: half write the tenant all replicas share, half their replica's own tenant; each
        // writes its own instances several times and, every third write, one instance every client writes.
        var writes = new ConcurrentBag<(string Tenant, string Name, WriteResult Result)>();
        await Task.WhenAll(Enumerable.Range(0, 12).Select(client => Task.Run(async () =>
        {
            var replica = cluster.Replicas[client % ReplicaCluster.Size];
            var tenant = client % 2 == 0 ? shared : own[client % ReplicaCluster.Size];
            for (var n = 0; n < 12; n++)
            {
                var (t, name) = n % 3 == 2 ? (shared, "hot") : (tenant, $"c{client}-i{n % 4}");
                writes.Add((t, name, await RunnerApi.PutAsync(replica.Http, t, name, n % 5)));
            }
        })));

        var refused = writes.Where(w => !w.Result.Acknowledged).ToList();
        Assert.True(refused.Count == 0, $"{refused.Count} writes were not acknowledged: {string.Join(", ", refused.Take(5).Select(w => $"{w.Tenant}/{w.Name} {w.Result.Status} {w.Result.Problem}"))}");

        var remote = RemoteHistory.Read(cluster.RemotePath);
        foreach (var instance in writes.GroupBy(w => (w.Tenant, w.Name)))
        {
            var acknowledged = instance.Select(w => w.Result.Revision!).Order(StringComparer.Ordinal).ToList();
            var inRemote = remote.ClaimCommits(instance.Key.Tenant, instance.Key.Name).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(acknowledged, inRemote);
            foreach (var write in instance)
            {
                Assert.Contains(write.Result.Uuid, remote.ClaimAt(write.Result.Revision!, instance.Key.Tenant, instance.Key.Name), StringComparison.Ordinal);
            }

            // Every replica answers with the newest change and its revision as ETag.
            var newest = remote.ClaimCommits(instance.Key.Tenant, instance.Key.Name)[0];
            foreach (var replica in cluster.Replicas)
            {
                var read = await RunnerApi.GetAsync(replica.Http, instance.Key.Tenant, instance.Key.Name);
                Assert.Equal(newest, read.Revision);
                Assert.Equal(instance.Single(w => w.Result.Revision == newest).Result.Uuid, read.Uuid);
            }
        }

        Assert.Equal("", RemoteHistory.Fsck(cluster.RemotePath));
        output.WriteLine($"{writes.Count} writes from 12 clients on 3 replicas, {writes.Select(w => (w.Tenant, w.Name)).Distinct().Count()} instances, all in the remote once");
    }

    [Fact]
    public async Task Conflicting_updates_with_If_Match_on_different_replicas_get_412_and_never_overwrite()
    {
        const string tenant = "mr-ifmatch";
        await cluster.CreateTenantAsync(tenant);
        var created = await RunnerApi.PutAsync(cluster.Replicas[0].Http, tenant, "counter", 0);
        Assert.True(created.Status == 201, created.Problem);

        // 6 clients, 2 per replica, each reads the instance and writes it back with If-Match until 4 of its writes land.
        var landed = new ConcurrentBag<(string Base, string Revision)>();
        var statuses = new ConcurrentBag<int>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(client => Task.Run(async () =>
        {
            var http = cluster.Replicas[client % ReplicaCluster.Size].Http;
            for (int wins = 0, attempt = 0; wins < 4 && attempt < 200; attempt++)
            {
                var read = await RunnerApi.GetAsync(http, tenant, "counter");
                var write = await RunnerApi.PutAsync(http, tenant, "counter", (read.Replicas + 1) % 20, ifMatch: $"\"{read.Revision}\"");
                statuses.Add(write.Status);
                if (write.Acknowledged)
                {
                    landed.Add((read.Revision!, write.Revision!));
                    wins++;
                }
            }
        })));

        Assert.All(statuses, s => Assert.True(s is 200 or 412, $"answered {s}: a conflict must be 412"));
        Assert.Equal(24, landed.Count);
        Assert.Contains(412, statuses);

        // The claim's history is one chain: each landed write was based on the change right before it, so no write
        // replaced another it had not seen.
        var chain = RemoteHistory.Read(cluster.RemotePath).ClaimCommits(tenant, "counter").Reverse().ToList();
        Assert.Equal(created.Revision, chain[0]);
        Assert.Equal(landed.Count + 1, chain.Count);
        var baseOf = landed.ToDictionary(l => l.Revision, l => l.Base, StringComparer.Ordinal);
        for (var i = 1; i < chain.Count; i++)
        {
            Assert.Equal(chain[i - 1], baseOf[chain[i]]);
        }

        output.WriteLine($"{statuses.Count} conditional writes: {landed.Count} landed, {statuses.Count(s => s == 412)} answered 412");
    }

    [Fact]
    public async Task A_write_on_one_replica_is_read_at_once_on_the_others()
    {
        const string tenant = "mr-read";
        await cluster.CreateTenantAsync(tenant);
        for (var n = 0; n < 15; n++)
        {
            var writer = cluster.Replicas[n % ReplicaCluster.Size];
            var write = await RunnerApi.PutAsync(writer.Http, tenant, $"r{n % 2}", n % 20);
            Assert.True(write.Acknowledged, $"write {n} answered {write.Status} {write.Problem}");
            foreach (var reader in cluster.Replicas.Where(r => r != writer))
            {
                var read = await RunnerApi.GetAsync(reader.Http, tenant, $"r{n % 2}");
                Assert.Equal((write.Revision, write.Uuid), (read.Revision, read.Uuid));
            }

            // The ETag just read elsewhere is good for a conditional write on the next replica.
            var next = cluster.Replicas[(n + 1) % ReplicaCluster.Size];
            var conditional = await RunnerApi.PutAsync(next.Http, tenant, $"r{n % 2}", (n + 1) % 20, ifMatch: $"\"{write.Revision}\"");
            Assert.Equal(200, conditional.Status);
        }
    }
}
