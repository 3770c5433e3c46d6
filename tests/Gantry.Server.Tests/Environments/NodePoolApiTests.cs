using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Environments;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Environments;

/// <summary>
/// Team pools and node pools over HTTP: the design's requests with <c>team1</c> as they are, a service placed on a
/// node pool per type, and the one-time migration of environments stored when the pool was also the node pool.
/// </summary>
public sealed class NodePoolApiTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    [Fact]
    public async Task The_design_curl_example_is_accepted_unchanged()
    {
        // The platform design's curl request body, word for word.
        var body = JsonNode.Parse("""
            {
              "environment_name": "dev-team1-feature-x",
              "environment_type": "dev",
              "environment_pool": "team1",
              "services": {
                "user-service": "v1.2.3",
                "auth-service": "^2.1.0",
                "api-gateway": "1.x.x"
              }
            }
            """)!.AsObject();

        var created = await EnvironmentApiTests.Post(world.As("john.doe"), body).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("team1", created.GetProperty("environment_pool").GetString());
        Assert.True(File.Exists(Path.Combine(world.BucketFolder, "team1", "dev-team1-feature-x.json")));
    }

    [Fact]
    public async Task A_service_on_memory_is_400_in_dev_naming_service_and_pool_and_accepted_in_stage()
    {
        var services = new JsonObject { ["user-service"] = new JsonObject { ["version"] = "v1.2.3", ["node_pool"] = "memory" } };

        var refused = await EnvironmentApiTests.Post(world.As("john.doe"), EnvironmentApiTests.Request("dev-memory", "dev", EnvironmentWorld.PoolA, services))
            .ExpectAsync(HttpStatusCode.BadRequest);
        var created = await EnvironmentApiTests.Post(world.As("john.doe"), EnvironmentApiTests.Request("stage-memory", "stage", EnvironmentWorld.PoolA, services.DeepClone().AsObject()))
            .ExpectAsync(HttpStatusCode.Created);

        var problem = Assert.Single(refused.GetProperty("errors").GetProperty("services.user-service.node_pool").EnumerateArray()).GetString()!;
        Assert.Contains("user-service", problem, StringComparison.Ordinal);
        Assert.Contains("memory", problem, StringComparison.Ordinal);
        Assert.Equal("memory", created.GetProperty("services").GetProperty("user-service").GetProperty("node_pool").GetString());
        Assert.Equal("general-public", created.GetProperty("services").GetProperty("auth-service").GetProperty("node_pool").GetString());
        var release = await File.ReadAllTextAsync(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, "stage-memory", "services", "user-service.yaml"));
        Assert.Contains("value: memory", release, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_legacy_environment_stays_readable_and_the_admin_migration_gives_its_services_node_pools_once()
    {
        var admin = world.As("platform-admin");
        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = "spot" }).ExpectAsync(HttpStatusCode.Created);
        // As the previous version stored it: the pool (a tenant) was also the node pool; no service has a node_pool.
        var legacy = new JsonObject
        {
            ["environment_name"] = "dev-legacy",
            ["environment_type"] = "dev",
            ["environment_pool"] = "spot",
            ["user"] = "john.doe",
            ["creation_date"] = "2024-01-15T10:30:00Z",
            ["expiration_date"] = null,
            ["deployment_method"] = "bucket",
            ["deploy_only_specified"] = true,
            ["services"] = new JsonObject { ["auth-service"] = new JsonObject { ["version"] = "v2.1.0", ["resolved_version"] = "v2.1.0" } },
        };
        Directory.CreateDirectory(Path.Combine(world.BucketFolder, "spot"));
        await File.WriteAllTextAsync(Path.Combine(world.BucketFolder, "spot", "dev-legacy.json"), legacy.ToJsonString());
        await admin.PostAsync(new Uri("/api/v1/admin/reindex", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);
        var before = await admin.GetAsync(new Uri("/api/v1/environments/dev-legacy", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.False(before.GetProperty("services").GetProperty("auth-service").TryGetProperty("node_pool", out _));

        var first = await admin.PostAsync(new Uri("/api/v1/admin/environments/migrate", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);
        var second = await admin.PostAsync(new Uri("/api/v1/admin/environments/migrate", UriKind.Relative), null).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("dev-legacy", Assert.Single(first.GetProperty("migrated").EnumerateArray()).GetProperty("name").GetString());
        Assert.Empty(second.GetProperty("migrated").EnumerateArray());
        var after = await admin.GetAsync(new Uri("/api/v1/environments/dev-legacy", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("spot", after.GetProperty("environment_pool").GetString());
        Assert.Equal("spot", after.GetProperty("services").GetProperty("auth-service").GetProperty("node_pool").GetString());
        var release = await File.ReadAllTextAsync(Path.Combine(world.BucketFolder, "spot", "dev-legacy", "services", "auth-service.yaml"));
        Assert.Contains("value: spot", release, StringComparison.Ordinal);
        var audit = await admin.GetAsync(new Uri("/api/v1/audit?tenant=spot", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == EnvironmentAuditActions.Migrated);
        await admin.DeleteAsync(new Uri("/api/v1/environments/dev-legacy", UriKind.Relative)).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Only_a_platform_admin_runs_the_migration()
    {
        await world.As("a-admin").PostAsync(new Uri("/api/v1/admin/environments/migrate", UriKind.Relative), null).ExpectAsync(HttpStatusCode.Forbidden);
    }
}
