using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Environments;

/// <summary>The environments API over HTTP on the embedded defaults: the design's example requests, permissions, errors.</summary>
public sealed class EnvironmentApiTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    [Fact]
    public async Task The_design_dev_example_is_created_resolved_and_stored_in_the_bucket()
    {
        var claim = Example("dev-team1-feature-x");
        claim["environment_name"] = "dev-team1-feature-x";

        var created = await Post(world.As("john.doe"), claim).ExpectAsync(HttpStatusCode.Created);

        var services = created.GetProperty("services");
        Assert.Equal("v1.2.3", services.GetProperty("user-service").GetProperty("resolved_version").GetString());
        Assert.Equal("^2.1.0", services.GetProperty("auth-service").GetProperty("version").GetString());
        Assert.Equal("v2.2.0", services.GetProperty("auth-service").GetProperty("resolved_version").GetString());
        Assert.Equal("v1.1.0", services.GetProperty("api-gateway").GetProperty("resolved_version").GetString());
        Assert.Equal("john.doe", created.GetProperty("user").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("expiration_date").ValueKind);

        var stored = await File.ReadAllBytesAsync(Path.Combine(world.BucketFolder, "team1", "dev-team1-feature-x.json"));
        var got = await world.As("a-viewer").GetAsync(new Uri("/api/v1/environments/dev-team1-feature-x", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        // The answer is the stored claim, with the environment's deployment status beside it.
        var answer = System.Text.Json.Nodes.JsonNode.Parse(await got.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("Committed", (string?)answer["status"]?["phase"]);
        answer.Remove("status");
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(stored), answer));
        Assert.NotNull(got.Headers.ETag);
        var release = await File.ReadAllTextAsync(Path.Combine(world.BucketFolder, "team1", "dev-team1-feature-x", "services", "user-service.yaml"));
        Assert.Contains("tag: v1.2.3", release, StringComparison.Ordinal);
        Assert.Contains("gantry.dev/pool: team1", release, StringComparison.Ordinal);
        Assert.Contains("    gantry.dev/pool: general-public", release, StringComparison.Ordinal);
        Assert.Equal("general-public", services.GetProperty("user-service").GetProperty("node_pool").GetString());
        Assert.Contains("name: platform-endpoints", release, StringComparison.Ordinal);
        var endpoints = await File.ReadAllTextAsync(Path.Combine(world.BucketFolder, "team1", "dev-team1-feature-x", "platform-endpoints.yaml"));
        Assert.Contains("LOGGING_ENDPOINT: http://elasticsearch-master.platform-logging.svc:9200", endpoints, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(world.BucketFolder, "team1", "dev-team1-feature-x", "addons")));
    }

    [Fact]
    public async Task An_unresolvable_constraint_is_422_naming_the_service_the_constraint_and_the_tags()
    {
        var claim = Request("dev-unresolvable", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "^9.0.0" });

        var problem = await Post(world.As("john.doe"), claim).ExpectAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal("auth-service", problem.GetProperty("service").GetString());
        Assert.Equal("^9.0.0", problem.GetProperty("constraint").GetString());
        Assert.Contains("v2.1.0", problem.GetProperty("tags_seen").EnumerateArray().Select(t => t.GetString()));
        await world.As("john.doe").GetAsync(new Uri("/api/v1/environments/dev-unresolvable", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Every_problem_of_a_request_is_named_at_once()
    {
        var claim = Request("Bad_Name", "qa", EnvironmentWorld.PoolA, new JsonObject { ["billing"] = "1.0.0", ["auth-service"] = "^^" });
        claim["user"] = "someone-else";

        var problem = await Post(world.As("john.doe"), claim).ExpectAsync(HttpStatusCode.BadRequest);

        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var field in new[] { "environment_name", "environment_type", "user", "services.billing", "services.auth-service.version" })
        {
            Assert.Contains(field, fields);
        }
    }

    [Fact]
    public async Task Viewers_cannot_create_and_outsiders_cannot_see()
    {
        await Post(world.As("a-viewer"), Request("dev-by-viewer", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "*" }))
            .ExpectAsync(HttpStatusCode.Forbidden);
        await Post(world.As("jane.smith"), Request("dev-outsider", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "*" }))
            .ExpectAsync(HttpStatusCode.NotFound);

        await Post(world.As("john.doe"), Request("dev-private", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "*" }))
            .ExpectAsync(HttpStatusCode.Created);
        await world.As("jane.smith").GetAsync(new Uri("/api/v1/environments/dev-private", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
        await world.As("jane.smith").DeleteAsync(new Uri("/api/v1/environments/dev-private", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
        await world.As("a-viewer").DeleteAsync(new Uri("/api/v1/environments/dev-private", UriKind.Relative)).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_list_shows_only_the_pools_of_the_caller_and_filters()
    {
        await Post(world.As("john.doe"), Request("list-a1", "dev", EnvironmentWorld.PoolA, new JsonObject { ["user-service"] = "v1.2.3" })).ExpectAsync(HttpStatusCode.Created);
        await Post(world.As("john.doe"), Request("list-a2", "stage", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "v2.1.0" })).ExpectAsync(HttpStatusCode.Created);
        await Post(world.As("jane.smith"), Request("list-b1", "dev", EnvironmentWorld.PoolB, new JsonObject { ["auth-service"] = "^2.0.0" })).ExpectAsync(HttpStatusCode.Created);

        var john = await Names(world.As("john.doe"), "q=list-");
        var viewer = await Names(world.As("a-viewer"), "q=list-");
        var jane = await Names(world.As("jane.smith"), "q=list-");
        var admin = await Names(world.As("platform-admin"), "q=list-");

        Assert.Equal(["list-a1", "list-a2"], john);
        Assert.Equal(["list-a1", "list-a2"], viewer);
        Assert.Equal(["list-b1"], jane);
        Assert.Equal(["list-a1", "list-a2", "list-b1"], admin);
        Assert.Equal(["list-a2"], await Names(world.As("john.doe"), "q=list-&type=stage"));
        Assert.Equal(["list-a1"], await Names(world.As("john.doe"), "q=list-&service=user-service"));
        Assert.Equal(["list-b1"], await Names(world.As("platform-admin"), $"q=list-&pool={EnvironmentWorld.PoolB}"));
        Assert.Equal(["list-b1"], await Names(world.As("platform-admin"), "q=list-&user=jane.smith"));
        Assert.Empty(await Names(world.As("jane.smith"), $"pool={EnvironmentWorld.PoolA}"));
        Assert.Equal("v1.2.3", (await ListedVersions(world.As("john.doe"), "list-a1"))["user-service"]);
        Assert.Equal("v2.1.0", (await ListedVersions(world.As("a-viewer"), "list-a2"))["auth-service"]);
        Assert.Equal(await ResolvedVersions(world.As("jane.smith"), "list-b1"), await ListedVersions(world.As("jane.smith"), "list-b1"));
    }

    [Fact]
    public async Task The_list_shows_the_resolved_versions_of_named_and_implicit_services_as_patch_and_refresh_change_them()
    {
        var client = world.As("john.doe");
        await Post(client, Request("dev-versions", "dev", EnvironmentWorld.PoolA, new JsonObject { ["user-service"] = "v1.2.3" })).ExpectAsync(HttpStatusCode.Created);
        var url = new Uri("/api/v1/environments/dev-versions", UriKind.Relative);

        var created = await ListedVersions(client, "dev-versions");
        Assert.Equal("v1.2.3", created["user-service"]);
        Assert.Equal(await ResolvedVersions(client, "dev-versions"), created);

        await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, url)
        {
            Content = JsonContent(new JsonObject { ["services"] = new JsonObject { ["user-service"] = "~1.1.0" } }),
        }).ExpectAsync(HttpStatusCode.OK);
        var patched = await ListedVersions(client, "dev-versions");
        Assert.Equal("v1.1.0", patched["user-service"]);
        Assert.True(patched.ContainsKey("auth-service"), "an implicit service is listed with its version too");
        Assert.Equal(await ResolvedVersions(client, "dev-versions"), patched);

        // A row indexed before migration 12 has no versions: the list names the services alone until a write records them.
        var index = world.Factory.Services.GetRequiredService<Data.Environments.EnvironmentRepository>();
        await index.UpsertAsync((await index.FindAsync("dev-versions"))! with { ServiceVersions = null });
        var old = await Listed(client, "dev-versions");
        Assert.Equal(JsonValueKind.Null, old.GetProperty("service_versions").ValueKind);
        Assert.Equal(patched.Keys.Order(), old.GetProperty("services").EnumerateArray().Select(s => s.GetString()!).Order());

        await client.PostAsync(new Uri("/api/v1/environments/dev-versions/refresh", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(patched, await ListedVersions(client, "dev-versions"));
    }

    [Fact]
    public async Task Patch_changes_a_version_refresh_keeps_it_and_delete_removes_the_objects()
    {
        var client = world.As("john.doe");
        await Post(client, Request("dev-patched", "dev", EnvironmentWorld.PoolA, new JsonObject { ["user-service"] = "v1.2.3" })).ExpectAsync(HttpStatusCode.Created);
        var url = new Uri("/api/v1/environments/dev-patched", UriKind.Relative);
        var etag = (await client.GetAsync(url)).Headers.ETag!;

        var patched = await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, url)
        {
            Content = JsonContent(new JsonObject { ["services"] = new JsonObject { ["user-service"] = "~1.1.0" } }),
            Headers = { IfMatch = { etag } },
        }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("v1.1.0", patched.GetProperty("services").GetProperty("user-service").GetProperty("resolved_version").GetString());
        Assert.True(patched.GetProperty("services").GetProperty("auth-service").GetProperty("implicit").GetBoolean());

        var stale = await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, url)
        {
            Content = JsonContent(new JsonObject { ["services"] = new JsonObject { ["user-service"] = "*" } }),
            Headers = { IfMatch = { etag } },
        });
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal((await client.GetAsync(url)).Headers.ETag, stale.Headers.ETag);
        var refused = await client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent(new JsonObject { ["environment_pool"] = "spot" }) })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("environment_pool", out _));

        var refreshed = await client.PostAsync(new Uri("/api/v1/environments/dev-patched/refresh", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("v1.1.0", refreshed.GetProperty("services").GetProperty("user-service").GetProperty("resolved_version").GetString());

        await client.DeleteAsync(url).ExpectAsync(HttpStatusCode.NoContent);
        await client.GetAsync(url).ExpectAsync(HttpStatusCode.NotFound);
        Assert.False(File.Exists(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, "dev-patched.json")));
        Assert.False(Directory.Exists(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, "dev-patched")) &&
            Directory.EnumerateFiles(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, "dev-patched"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_name_is_unique_across_pools()
    {
        await Post(world.As("john.doe"), Request("dev-unique", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "*" })).ExpectAsync(HttpStatusCode.Created);

        var taken = await Post(world.As("jane.smith"), Request("dev-unique", "dev", EnvironmentWorld.PoolB, new JsonObject { ["auth-service"] = "*" })).ExpectAsync(HttpStatusCode.Conflict);

        // The answer says the name is taken, not by whom nor in which pool.
        var detail = taken.GetProperty("detail").GetString()!;
        Assert.Contains("name is taken", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(EnvironmentWorld.PoolA, taken.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("john", taken.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reindex_rebuilds_the_index_from_the_bucket()
    {
        await Post(world.As("jane.smith"), Request("dev-reindexed", "dev", EnvironmentWorld.PoolB, new JsonObject { ["auth-service"] = "v2.1.0" })).ExpectAsync(HttpStatusCode.Created);
        var index = world.Factory.Services.GetRequiredService<Data.Environments.EnvironmentRepository>();
        await index.DeleteAsync("dev-reindexed");
        await world.As("jane.smith").GetAsync(new Uri("/api/v1/environments/dev-reindexed", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);

        var result = await world.As("platform-admin").PostAsync(new Uri("/api/v1/admin/reindex", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);

        Assert.True(result.GetProperty("environments").GetInt32() >= 1);
        var again = await world.As("jane.smith").GetAsync(new Uri("/api/v1/environments/dev-reindexed", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("v2.1.0", again.GetProperty("services").GetProperty("auth-service").GetProperty("resolved_version").GetString());
        Assert.Equal("v2.1.0", (await ListedVersions(world.As("jane.smith"), "dev-reindexed"))["auth-service"]);
    }

    internal static JsonObject Example(string name) =>
        JsonNode.Parse(File.ReadAllText(InteropFiles.InRepository("tests", "Gantry.Core.Tests", "Environments", "claims", $"{name}.json")))!.AsObject();

    internal static JsonObject Request(string name, string type, string pool, JsonObject services) => new()
    {
        ["environment_name"] = name,
        ["environment_type"] = type,
        ["environment_pool"] = pool,
        ["deploy_only_specified"] = true,
        ["services"] = services,
    };

    internal static Task<HttpResponseMessage> Post(HttpClient client, JsonObject claim) =>
        client.PostAsync(new Uri("/api/v1/environments", UriKind.Relative), JsonContent(claim));

    private static StringContent JsonContent(JsonNode body) =>
        new(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static async Task<JsonElement> Listed(HttpClient client, string name)
    {
        var page = await client.GetAsync(new Uri($"/api/v1/environments?q={name}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        return page.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("environment_name").GetString() == name);
    }

    private static async Task<Dictionary<string, string>> ListedVersions(HttpClient client, string name) =>
        (await Listed(client, name)).GetProperty("service_versions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    // What the environment's GET shows: every service's resolved_version, named and implicit.
    private static async Task<Dictionary<string, string>> ResolvedVersions(HttpClient client, string name)
    {
        var environment = await client.GetAsync(new Uri($"/api/v1/environments/{name}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        return environment.GetProperty("services").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("resolved_version").GetString()!);
    }

    private static async Task<List<string>> Names(HttpClient client, string query)
    {
        var page = await client.GetAsync(new Uri($"/api/v1/environments?{query}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("environment_name").GetString()!).ToList();
    }
}
