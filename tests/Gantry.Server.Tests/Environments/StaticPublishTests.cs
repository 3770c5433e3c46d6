using System.Net;
using System.Text.Json.Nodes;
using Gantry.Core.State;
using Gantry.Server.Environments;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Environments;

/// <summary>
/// Static environments are published to the static-environments bucket once committed, and a write there by anyone
/// but Gantry's publisher is an alert, never a change.
/// </summary>
public sealed class StaticPublishTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    [Fact]
    public async Task An_approved_static_environment_is_published_a_foreign_write_is_an_alert_and_a_delete_unpublishes()
    {
        var proposal = await EnvironmentApiTests.Post(world.As("john.doe"), EnvironmentApiTests.Request("prod-published", "prod", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "v2.1.0" }))
            .ExpectAsync(HttpStatusCode.Accepted);
        await world.As("a-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/change-requests/{proposal.GetProperty("id").GetString()}/approve").ExpectAsync(HttpStatusCode.OK);
        var published = Path.Combine(world.Factory.DataDir, "buckets", "static-environments", "team1", "prod-published.json");
        var committed = await world.Factory.Services.GetRequiredService<IStateStore>().ReadFileAsync("environments/team1/prod-published/environment.json");
        Assert.Equal(committed, await File.ReadAllBytesAsync(published));
        Assert.Equal(0, await ScanAsync());
        Assert.Empty(await InvalidAsync());

        await File.WriteAllTextAsync(published + ".upload", """{"environment_name": "prod-published", "environment_type": "prod", "environment_pool": "team1", "services": {"auth-service": "*"}}""");
        File.Move(published + ".upload", published, overwrite: true);
        await ScanAsync();

        var alert = Assert.Single(await InvalidAsync());
        Assert.Equal("static-environments/team1/prod-published.json", alert.GetProperty("key").GetString());
        Assert.Equal("Alert", alert.GetProperty("phase").GetString());
        var got = await world.As("john.doe").GetAsync(new Uri("/api/v1/environments/prod-published", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("v2.1.0", got.GetProperty("services").GetProperty("auth-service").GetProperty("resolved_version").GetString());

        var delete = await world.As("john.doe").SendJsonAsync(HttpMethod.Post, "/api/v1/change-requests",
            new { kind = "environment", pool = EnvironmentWorld.PoolA, target = "prod-published", operation = "delete" }).ExpectAsync(HttpStatusCode.Created);
        await world.As("a-admin").SendJsonAsync(HttpMethod.Post, $"/api/v1/change-requests/{delete.GetProperty("id").GetString()}/approve").ExpectAsync(HttpStatusCode.OK);
        await ScanAsync();

        Assert.False(File.Exists(published));
        Assert.Empty(await InvalidAsync());
    }

    private Task<int> ScanAsync() => world.Factory.Services.GetRequiredService<EnvironmentBucketWatcher>().ScanAsync(CancellationToken.None);

    private async Task<List<System.Text.Json.JsonElement>> InvalidAsync() =>
        [.. (await world.As("john.doe").GetAsync(new Uri("/api/v1/environments", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK)).GetProperty("invalid").EnumerateArray()];
}
