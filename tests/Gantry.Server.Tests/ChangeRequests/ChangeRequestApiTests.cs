using System.Net;
using System.Text.Json;
using Gantry.Core.State;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.ChangeRequests;

/// <summary>The approval flow over HTTP, applied through a real handler that commits to the server's Git store.</summary>
public sealed class ChangeRequestApiTests(ChangeRequestWorld world) : IClassFixture<ChangeRequestWorld>
{
    private const string Kind = StateFileChangeHandler.KindName;
    private const string PoolA = ChangeRequestWorld.PoolA;
    private const string PoolB = ChangeRequestWorld.PoolB;

    [Fact]
    public async Task Approve_applies_the_change_and_records_revision_and_decider()
    {
        var target = NewTarget();
        var created = await ProposeAsync("a-operator", target, new { replicas = 3 });
        Assert.Equal("open", created.GetProperty("status").GetString());
        Assert.Equal("a-operator", created.GetProperty("requestedByName").GetString());

        var approved = await world.As("a-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/change-requests/{Id(created)}/approve", new { comment = "looks right" })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("applied", approved.GetProperty("status").GetString());
        Assert.Equal("a-admin", approved.GetProperty("decidedByName").GetString());
        Assert.Equal("looks right", approved.GetProperty("comment").GetString());
        var revision = approved.GetProperty("revision").GetString()!;
        Assert.True(StateRevision.IsWellFormed(revision));

        // The file is in the desired state at exactly that revision, authored by the approver.
        var store = world.Factory.Services.GetRequiredService<IStateStore>();
        var file = await store.ReadFileAsync(StateFileChangeHandler.PathOf(PoolA, target), revision);
        Assert.Equal(3, JsonDocument.Parse(file!).RootElement.GetProperty("replicas").GetInt32());
        var history = await store.GetHistoryAsync(StateFileChangeHandler.PathOf(PoolA, target));
        Assert.Equal(revision, history.Commits[0].Revision);
        Assert.Equal("a-admin", history.Commits[0].Author.Name);

        var read = await world.As("a-viewer").GetAsync($"/api/v1/change-requests/{Id(created)}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("applied", read.GetProperty("status").GetString());
        Assert.Equal(revision, read.GetProperty("revision").GetString());
    }

    [Fact]
    public async Task Requester_cannot_approve_their_own_request()
    {
        var created = await ProposeAsync("a-admin", NewTarget(), new { replicas = 1 });

        var refused = await world.As("a-admin").PostAsync($"/api/v1/change-requests/{Id(created)}/approve", null).ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Contains("someone other than its requester", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("open", (await GetAsync("a-admin", Id(created))).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("a-viewer")]
    [InlineData("a-operator")]
    public async Task Viewers_and_operators_cannot_approve_or_reject(string who)
    {
        var created = await ProposeAsync("a-admin", NewTarget(), new { replicas = 1 });

        var approve = await world.As(who).PostAsync($"/api/v1/change-requests/{Id(created)}/approve", null).ExpectAsync(HttpStatusCode.Forbidden);
        await world.As(who).PostAsync($"/api/v1/change-requests/{Id(created)}/reject", null).ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Contains("admin role in pool 'pool-a'", approve.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("open", (await GetAsync("a-admin", Id(created))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Admin_of_another_pool_can_neither_see_nor_decide()
    {
        var created = await ProposeAsync("a-operator", NewTarget(), new { replicas = 1 });

        await world.As("b-admin").GetAsync($"/api/v1/change-requests/{Id(created)}").ExpectAsync(HttpStatusCode.NotFound);
        await world.As("b-admin").PostAsync($"/api/v1/change-requests/{Id(created)}/approve", null).ExpectAsync(HttpStatusCode.NotFound);
        await world.As("b-admin").PostAsync($"/api/v1/change-requests/{Id(created)}/reject", null).ExpectAsync(HttpStatusCode.NotFound);

        Assert.Equal("open", (await GetAsync("a-admin", Id(created))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Platform_admin_may_approve_another_users_request()
    {
        var created = await ProposeAsync("a-operator", NewTarget(), new { replicas = 2 });

        var approved = await world.As("platform-admin").PostAsync($"/api/v1/change-requests/{Id(created)}/approve", null).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("applied", approved.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reject_records_the_decision_and_changes_nothing()
    {
        var target = NewTarget();
        var created = await ProposeAsync("a-operator", target, new { replicas = 1 });

        var rejected = await world.As("a-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/change-requests/{Id(created)}/reject", new { comment = "not now" })
            .ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal("not now", rejected.GetProperty("comment").GetString());
        Assert.Equal(JsonValueKind.Null, rejected.GetProperty("revision").ValueKind);
        var store = world.Factory.Services.GetRequiredService<IStateStore>();
        Assert.Null(await store.ReadFileAsync(StateFileChangeHandler.PathOf(PoolA, target)));
    }

    [Fact]
    public async Task Requester_may_withdraw_their_own_request()
    {
        var created = await ProposeAsync("a-operator", NewTarget(), new { replicas = 1 });

        var withdrawn = await world.As("a-operator").PostAsync($"/api/v1/change-requests/{Id(created)}/reject", null).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("rejected", withdrawn.GetProperty("status").GetString());
        Assert.Equal(world.UserIds["a-operator"], withdrawn.GetProperty("decidedBy").GetString());
    }

    [Fact]
    public async Task A_decided_request_cannot_be_decided_again()
    {
        var approvedOne = await ProposeAsync("a-operator", NewTarget(), new { replicas = 1 });
        var rejectedOne = await ProposeAsync("a-operator", NewTarget(), new { replicas = 1 });
        await world.As("a-admin").PostAsync($"/api/v1/change-requests/{Id(approvedOne)}/approve", null).ExpectAsync(HttpStatusCode.OK);
        await world.As("a-admin").PostAsync($"/api/v1/change-requests/{Id(rejectedOne)}/reject", null).ExpectAsync(HttpStatusCode.OK);

        var again = await world.As("a-admin2").PostAsync($"/api/v1/change-requests/{Id(approvedOne)}/approve", null).ExpectAsync(HttpStatusCode.Conflict);
        await world.As("a-admin2").PostAsync($"/api/v1/change-requests/{Id(approvedOne)}/reject", null).ExpectAsync(HttpStatusCode.Conflict);
        var late = await world.As("a-admin2").PostAsync($"/api/v1/change-requests/{Id(rejectedOne)}/approve", null).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("applied", again.GetProperty("status").GetString());
        Assert.Equal("rejected", late.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Two_admins_approving_at_once_apply_the_change_once()
    {
        var target = NewTarget();
        var created = await ProposeAsync("a-operator", target, new { replicas = 1 });

        var answers = await Task.WhenAll(new[] { "a-admin", "a-admin2" }.Select(who =>
            world.As(who).PostAsync($"/api/v1/change-requests/{Id(created)}/approve", null)));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        var history = await world.Factory.Services.GetRequiredService<IStateStore>().GetHistoryAsync(StateFileChangeHandler.PathOf(PoolA, target));
        Assert.Single(history.Commits);
    }

    [Fact]
    public async Task An_approval_that_no_longer_applies_is_recorded_as_failed()
    {
        // Two requests to delete one file, both valid when made; the second finds it gone when approved.
        var target = NewTarget();
        await world.As("a-admin").PostAsync($"/api/v1/change-requests/{Id(await ProposeAsync("a-operator", target, new { replicas = 1 }))}/approve", null)
            .ExpectAsync(HttpStatusCode.OK);
        var first = await ProposeAsync("a-operator", target, null, operation: "delete");
        var second = await ProposeAsync("a-operator", target, null, operation: "delete");
        await world.As("a-admin").PostAsync($"/api/v1/change-requests/{Id(first)}/approve", null).ExpectAsync(HttpStatusCode.OK);

        var failed = await world.As("a-admin").PostAsync($"/api/v1/change-requests/{Id(second)}/approve", null).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("The change is no longer valid: target: does not exist", failed.GetProperty("problem").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("revision").ValueKind);
        await world.As("a-admin2").PostAsync($"/api/v1/change-requests/{Id(second)}/approve", null).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Listing_shows_each_caller_only_their_pools()
    {
        var inA = await ProposeAsync("a-operator", NewTarget(), new { replicas = 1 });
        var inB = await ProposeAsync("b-admin", NewTarget(), new { replicas = 1 }, pool: PoolB);

        var viewerSees = await ListIdsAsync("a-viewer", "");
        var bAdminSees = await ListIdsAsync("b-admin", "");
        var platformSees = await ListIdsAsync("platform-admin", "?limit=500");

        Assert.Contains(Id(inA), viewerSees);
        Assert.DoesNotContain(Id(inB), viewerSees);
        Assert.Contains(Id(inB), bAdminSees);
        Assert.DoesNotContain(Id(inA), bAdminSees);
        Assert.Contains(Id(inA), platformSees);
        Assert.Contains(Id(inB), platformSees);
        Assert.Empty(await ListIdsAsync("a-viewer", $"?pool={PoolB}"));
        Assert.Equal([Id(inB)], await ListIdsAsync("platform-admin", $"?pool={PoolB}&target={inB.GetProperty("target").GetString()}"));
    }

    [Fact]
    public async Task Listing_filters_by_status_and_pages_newest_first()
    {
        var older = await ProposeAsync("b-admin", NewTarget(), new { replicas = 1 }, pool: PoolB);
        var newer = await ProposeAsync("b-admin", NewTarget(), new { replicas = 1 }, pool: PoolB);
        var rejected = await ProposeAsync("b-admin", NewTarget(), new { replicas = 1 }, pool: PoolB);
        await world.As("b-admin").PostAsync($"/api/v1/change-requests/{Id(rejected)}/reject", null).ExpectAsync(HttpStatusCode.OK);

        var page = await world.As("b-admin").GetAsync($"/api/v1/change-requests?pool={PoolB}&status=open&kind={Kind}&limit=1").ExpectAsync(HttpStatusCode.OK);
        var next = page.GetProperty("next").GetString();
        var rest = await ListIdsAsync("b-admin", $"?pool={PoolB}&status=open&before={next}");

        Assert.Equal(Id(newer), Id(page.GetProperty("items")[0]));
        Assert.Equal(Id(older), rest[0]);
        Assert.DoesNotContain(Id(rejected), rest);
        await world.As("b-admin").GetAsync("/api/v1/change-requests?status=maybe").ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Proposals_are_checked_before_they_are_stored()
    {
        var unknownKind = await world.As("a-operator").SendJsonAsync(HttpMethod.Post, "/api/v1/change-requests",
            new { kind = "nope", pool = PoolA, target = "Bad Name", operation = "explode" }).ExpectAsync(HttpStatusCode.BadRequest);
        var errors = unknownKind.GetProperty("errors");
        Assert.True(errors.TryGetProperty("kind", out _));
        Assert.True(errors.TryGetProperty("target", out _));
        Assert.True(errors.TryGetProperty("operation", out _));

        // The handler's own check: its payload must be an object.
        var handlerSays = await world.As("a-operator").SendJsonAsync(HttpMethod.Post, "/api/v1/change-requests",
            new { kind = Kind, pool = PoolA, target = NewTarget(), operation = "create", payload = new[] { 1 } }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(handlerSays.GetProperty("errors").TryGetProperty("payload", out _));

        // Viewers may not propose what they may not change; outsiders do not see the pool at all.
        await world.As("a-viewer").SendJsonAsync(HttpMethod.Post, "/api/v1/change-requests",
            new { kind = Kind, pool = PoolA, target = NewTarget(), operation = "create", payload = new { } }).ExpectAsync(HttpStatusCode.Forbidden);
        await world.As("b-admin").SendJsonAsync(HttpMethod.Post, "/api/v1/change-requests",
            new { kind = Kind, pool = PoolA, target = NewTarget(), operation = "create", payload = new { } }).ExpectAsync(HttpStatusCode.NotFound);
        await world.As("platform-admin").SendJsonAsync(HttpMethod.Post, "/api/v1/change-requests",
            new { kind = Kind, pool = "no-such-pool", target = NewTarget(), operation = "create", payload = new { } }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Proposals_and_decisions_are_audited()
    {
        var approvedOne = await ProposeAsync("a-operator", NewTarget(), new { replicas = 1 });
        var rejectedOne = await ProposeAsync("a-operator", NewTarget(), new { replicas = 1 });
        await world.As("a-admin").PostAsync($"/api/v1/change-requests/{Id(approvedOne)}/approve", null).ExpectAsync(HttpStatusCode.OK);
        await world.As("a-admin2").PostAsync($"/api/v1/change-requests/{Id(rejectedOne)}/reject", null).ExpectAsync(HttpStatusCode.OK);

        var events = await world.As("a-admin").GetAsync($"/api/v1/audit?tenant={PoolA}&limit=500").ExpectAsync(HttpStatusCode.OK);
        string[] Actions(JsonElement request) => [.. events.EnumerateArray()
            .Where(e => e.GetProperty("target").GetString()!.Contains(Id(request), StringComparison.Ordinal))
            .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("actorName").GetString()} {e.GetProperty("outcome").GetString()}")];

        Assert.Equal(["change-request.approve a-admin success", "change-request.create a-operator success"], Actions(approvedOne));
        Assert.Equal(["change-request.reject a-admin2 success", "change-request.create a-operator success"], Actions(rejectedOne));
    }

    private async Task<JsonElement> ProposeAsync(string who, string target, object? payload, string operation = "create", string pool = PoolA) =>
        await world.As(who).SendJsonAsync(HttpMethod.Post, "/api/v1/change-requests", new { kind = Kind, pool, target, operation, payload })
            .ExpectAsync(HttpStatusCode.Created);

    private async Task<JsonElement> GetAsync(string who, string id) =>
        await world.As(who).GetAsync($"/api/v1/change-requests/{id}").ExpectAsync(HttpStatusCode.OK);

    private async Task<List<string>> ListIdsAsync(string who, string query)
    {
        var page = await world.As(who).GetAsync($"/api/v1/change-requests{query}").ExpectAsync(HttpStatusCode.OK);
        return [.. page.GetProperty("items").EnumerateArray().Select(Id)];
    }

    private static string Id(JsonElement request) => request.GetProperty("id").GetString()!;

    private static string NewTarget() => $"t{Guid.NewGuid():N}"[..12];
}
