using System.Net;
using System.Text;
using System.Text.Json;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;
using Gantry.Core.State;
using Gantry.Core.Yaml;
using Gantry.Data.Instances;
using Gantry.Server.Instances;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Instances;

/// <summary>
/// A writer that died between its commit and its index row (kill -9 after the push): its write intent stays, and the
/// repair makes the row agree with Git again.
/// </summary>
public sealed class IndexRepairTests(InstanceWorld world) : IClassFixture<InstanceWorld>
{
    private const string Tenant = InstanceWorld.Tenant;
    private const string Base = $"/api/v1/tenants/{Tenant}/instances";

    private IStateStore Store => world.Factory.Services.GetRequiredService<IStateStore>();

    private WriteIntentRepository Intents => world.Factory.Services.GetRequiredService<WriteIntentRepository>();

    [Fact]
    public async Task A_commit_whose_writer_died_before_the_index_row_is_indexed_by_the_repair()
    {
        var created = await CreateAsync("orphan-db");
        Assert.Equal(1, created.GetProperty("status").GetProperty("generation").GetInt64());
        Assert.Empty(await IntentsOfAsync("orphan-db")); // a change that finished leaves none

        // What a dead replica did: recorded its intent, pushed a newer claim, and was killed before writing the row.
        await Intents.RecordAsync([(Tenant, "orphan-db")], DateTimeOffset.UtcNow.AddMinutes(-1));
        var claim = await ClaimAsync("orphan-db");
        var newer = claim with { Generation = claim.Generation + 1, Values = new() { ["replicaCount"] = 3 } };
        var pushed = await Store.CommitAsync(new Change
        {
            Puts = new Dictionary<string, ReadOnlyMemory<byte>> { [GitOpsLayout.InstanceClaim(Tenant, "orphan-db")] = YamlWriter.WriteUtf8(newer.ToDocument()) },
            Author = new ChangeAuthor("dead-replica", "dead@replica.gantry.invalid"),
            Message = $"Update instance {Tenant}/orphan-db (qdrant 1.13.6)",
            Tenant = Tenant,
            Claim = "instance/orphan-db",
        });
        var stale = await GetAsync("orphan-db");
        Assert.Equal(1, stale.GetProperty("status").GetProperty("generation").GetInt64());

        var repair = Assert.Single(await RepairAsync(), r => r.Name == "orphan-db");

        Assert.Equal(IndexRepairOutcome.Rewritten, repair.Outcome);
        var repaired = await GetAsync("orphan-db");
        Assert.Equal(2, repaired.GetProperty("status").GetProperty("generation").GetInt64());
        Assert.Equal(pushed, repaired.GetProperty("revision").GetString());
        Assert.Equal("dead-replica", repaired.GetProperty("changedBy").GetString());
        Assert.Equal(3, repaired.GetProperty("values").GetProperty("replicaCount").GetInt32());
        Assert.Equal(created.GetProperty("createdAt").GetDateTimeOffset(), repaired.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Empty(await IntentsOfAsync("orphan-db"));

        // The next change builds on the repaired generation, not on a kept snapshot from before the orphaned commit.
        var scaled = await world.As("operator").SendJsonAsync(HttpMethod.Post, $"{Base}/orphan-db/scale", new { replicas = 2 }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(3, scaled.GetProperty("status").GetProperty("generation").GetInt64());
    }

    [Fact]
    public async Task An_intent_whose_row_already_agrees_with_git_is_only_cleared()
    {
        var created = await CreateAsync("agreeing-db");
        await Intents.RecordAsync([(Tenant, "agreeing-db")], DateTimeOffset.UtcNow.AddMinutes(-1));

        var repair = Assert.Single(await RepairAsync(), r => r.Name == "agreeing-db");

        Assert.Equal(IndexRepairOutcome.Agreed, repair.Outcome);
        var read = await GetAsync("agreeing-db");
        Assert.Equal(created.GetProperty("revision").GetString(), read.GetProperty("revision").GetString());
        Assert.Equal(created.GetProperty("updatedAt").GetDateTimeOffset(), read.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Empty(await IntentsOfAsync("agreeing-db"));
    }

    [Fact]
    public async Task An_intent_for_a_claim_gone_from_git_deletes_the_row()
    {
        await CreateAsync("deleted-db");
        await Intents.RecordAsync([(Tenant, "deleted-db")], DateTimeOffset.UtcNow.AddMinutes(-1));
        await Store.CommitAsync(new Change
        {
            Deletes = GitOpsLayout.InstancePaths(Tenant, "deleted-db").ToList(),
            Author = new ChangeAuthor("dead-replica", "dead@replica.gantry.invalid"),
            Message = $"Delete instance {Tenant}/deleted-db",
            Tenant = Tenant,
            Claim = "instance/deleted-db",
        });

        var repair = Assert.Single(await RepairAsync(), r => r.Name == "deleted-db");

        Assert.Equal(IndexRepairOutcome.Deleted, repair.Outcome);
        await world.As("operator").GetAsync($"{Base}/deleted-db").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty(await IntentsOfAsync("deleted-db"));
    }

    [Fact]
    public async Task A_change_whose_commit_failed_leaves_its_intent_for_the_repair()
    {
        var created = await CreateAsync("unpushed-db");
        world.Remote.StopHttp();
        try
        {
            var failed = await world.As("operator").SendJsonAsync(HttpMethod.Post, $"{Base}/unpushed-db/scale", new { replicas = 2 });
            Assert.False(failed.IsSuccessStatusCode);
        }
        finally
        {
            world.Remote.StartHttp();
        }

        // The push may have landed with its answer lost: the intent stays until the repair has compared row and Git.
        Assert.Single(await IntentsOfAsync("unpushed-db"));
        var repair = Assert.Single(await world.Factory.Services.GetRequiredService<IndexRepairService>().RepairAsync(TimeSpan.Zero, CancellationToken.None),
            r => r.Name == "unpushed-db");

        Assert.Equal(IndexRepairOutcome.Agreed, repair.Outcome);
        Assert.Equal(created.GetProperty("revision").GetString(), (await GetAsync("unpushed-db")).GetProperty("revision").GetString());
        Assert.Empty(await IntentsOfAsync("unpushed-db"));
    }

    [Fact]
    public async Task A_young_intent_is_left_to_its_writer()
    {
        await CreateAsync("young-db");
        await Intents.RecordAsync([(Tenant, "young-db")], DateTimeOffset.UtcNow);

        Assert.DoesNotContain(await RepairAsync(), r => r.Name == "young-db");
        Assert.Single(await IntentsOfAsync("young-db"));
        await Intents.ClearAsync(Tenant, "young-db");
    }

    private Task<IReadOnlyList<IndexRepair>> RepairAsync() =>
        world.Factory.Services.GetRequiredService<IndexRepairService>().RepairAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

    private async Task<JsonElement> CreateAsync(string name) =>
        await world.As("operator").SendJsonAsync(HttpMethod.Put, $"{Base}/{name}", new { offering = "qdrant", values = new { replicaCount = 1 } })
            .ExpectAsync(HttpStatusCode.Created);

    private async Task<JsonElement> GetAsync(string name) => await world.As("operator").GetAsync($"{Base}/{name}").ExpectAsync(HttpStatusCode.OK);

    private async Task<InstanceClaim> ClaimAsync(string name)
    {
        var bytes = await Store.ReadFileAsync(GitOpsLayout.InstanceClaim(Tenant, name));
        return InstanceClaim.FromDocument(YamlJson.Parse(Encoding.UTF8.GetString(bytes!)))!;
    }

    private async Task<IReadOnlyList<WriteIntent>> IntentsOfAsync(string name) =>
        [.. (await Intents.ListOlderThanAsync(DateTimeOffset.UtcNow.AddMinutes(1), limit: 1000)).Where(i => i.Tenant == Tenant && i.Name == name)];
}
