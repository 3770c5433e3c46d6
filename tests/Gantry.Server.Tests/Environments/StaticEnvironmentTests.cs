using System.Net;
using System.Text.Json.Nodes;
using Gantry.Core.State;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Environments;

/// <summary>Static (git) environments: created, changed and removed only through approved change requests.</summary>
public sealed class StaticEnvironmentTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    [Fact]
    public async Task A_prod_environment_waits_for_approval_by_another_pool_admin_then_lands_in_git()
    {
        var john = world.As("john.doe");
        var claim = EnvironmentApiTests.Request("prod-team1", "prod", EnvironmentWorld.PoolA, new JsonObject { ["user-service"] = "^1.0.0" });

        var response = await EnvironmentApiTests.Post(john, claim);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var proposal = await response.JsonAsync();
        var id = proposal.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/change-requests/{id}", response.Headers.Location?.ToString());
        Assert.Equal("open", proposal.GetProperty("status").GetString());
        Assert.Equal("environment", proposal.GetProperty("kind").GetString());
        Assert.Equal("git", proposal.GetProperty("payload").GetProperty("deployment_method").GetString());
        var url = new Uri("/api/v1/environments/prod-team1", UriKind.Relative);
        await john.GetAsync(url).ExpectAsync(HttpStatusCode.NotFound);

        var approve = $"/api/v1/change-requests/{id}/approve";
        await john.SendJsonAsync(HttpMethod.Post, approve).ExpectAsync(HttpStatusCode.Forbidden);
        await world.As("a-viewer").SendJsonAsync(HttpMethod.Post, approve).ExpectAsync(HttpStatusCode.Forbidden);
        await world.As("b-admin").SendJsonAsync(HttpMethod.Post, approve).ExpectAsync(HttpStatusCode.NotFound);
        var applied = await world.As("a-admin").SendJsonAsync(HttpMethod.Post, approve, new { comment = "ship it" }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("applied", applied.GetProperty("status").GetString());
        var revision = applied.GetProperty("revision").GetString()!;

        var got = await john.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal($"\"{revision}\"", got.Headers.ETag?.Tag);
        var store = world.Factory.Services.GetRequiredService<IStateStore>();
        var inGit = await store.ReadFileAsync("environments/team1/prod-team1/environment.json");
        // The answer is the stored claim, with the environment's deployment status beside it.
        var answer = System.Text.Json.Nodes.JsonNode.Parse(await got.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("Committed", (string?)answer["status"]?["phase"]);
        answer.Remove("status");
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(inGit), answer));
        var release = System.Text.Encoding.UTF8.GetString((await store.ReadFileAsync("environments/team1/prod-team1/services/user-service.yaml"))!);
        Assert.Contains("replicaCount: 3", release, StringComparison.Ordinal);
        Assert.Contains("tag: v1.2.3", release, StringComparison.Ordinal);
        var commit = (await store.GetHistoryAsync("environments/team1/prod-team1", 1)).Commits.Single();
        Assert.Equal("john.doe", commit.Author.Name);
        Assert.Contains("approved by a-admin", commit.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_static_environment_refuses_direct_changes_and_is_removed_through_a_change_request()
    {
        var john = world.As("john.doe");
        var proposal = await EnvironmentApiTests.Post(john, EnvironmentApiTests.Request("dev-static", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "v2.1.0" })
            .Also(c => c["deployment_method"] = "git")).ExpectAsync(HttpStatusCode.Accepted);
        await world.As("a-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/change-requests/{proposal.GetProperty("id").GetString()}/approve").ExpectAsync(HttpStatusCode.OK);
        var url = "/api/v1/environments/dev-static";

        var patch = await john.SendJsonAsync(HttpMethod.Patch, url, new { services = new { auth_service = "*" } }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("/api/v1/change-requests", patch.GetProperty("change_request").GetString());
        Assert.Contains("static environment", patch.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await john.SendJsonAsync(HttpMethod.Delete, url).ExpectAsync(HttpStatusCode.Conflict);
        await john.SendJsonAsync(HttpMethod.Post, $"{url}/refresh").ExpectAsync(HttpStatusCode.Conflict);

        var update = await john.SendJsonAsync(HttpMethod.Post, "/api/v1/change-requests", new
        {
            kind = "environment",
            pool = EnvironmentWorld.PoolA,
            target = "dev-static",
            operation = "update",
            payload = EnvironmentApiTests.Request("dev-static", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "v2.1.4" }),
        }).ExpectAsync(HttpStatusCode.Created);
        await world.As("a-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/change-requests/{update.GetProperty("id").GetString()}/approve").ExpectAsync(HttpStatusCode.OK);
        var updated = await john.SendJsonAsync(HttpMethod.Get, url).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("v2.1.4", updated.GetProperty("services").GetProperty("auth-service").GetProperty("resolved_version").GetString());
        Assert.Equal("john.doe", updated.GetProperty("user").GetString());

        var removal = await john.SendJsonAsync(HttpMethod.Post, "/api/v1/change-requests",
            new { kind = "environment", pool = EnvironmentWorld.PoolA, target = "dev-static", operation = "delete" }).ExpectAsync(HttpStatusCode.Created);
        await world.As("a-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/change-requests/{removal.GetProperty("id").GetString()}/approve").ExpectAsync(HttpStatusCode.OK);
        await john.SendJsonAsync(HttpMethod.Get, url).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Null(await world.Factory.Services.GetRequiredService<IStateStore>().ReadFileAsync("environments/team1/dev-static/environment.json"));
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject value, Action<JsonObject> change)
    {
        change(value);
        return value;
    }
}
