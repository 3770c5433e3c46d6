using System.Net;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Instances;

public sealed class AdminEndpointTests(InstanceWorld world) : IClassFixture<InstanceWorld>
{
    [Fact]
    public async Task Bootstrap_names_the_remote_without_its_credentials()
    {
        var admin = world.As("platform-admin");

        var flux = await admin.GetAsync("/api/v1/bootstrap?engine=flux");
        var yaml = await flux.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, flux.StatusCode);
        Assert.Equal("application/yaml", flux.Content.Headers.ContentType?.MediaType);
        Assert.Contains(world.Remote.Url("state.git"), yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Remote.Password, yaml, StringComparison.Ordinal);
        Assert.Contains("kind: ApplicationSet", await admin.GetStringAsync("/api/v1/bootstrap?engine=argocd"), StringComparison.Ordinal);
        await admin.GetAsync("/api/v1/bootstrap?engine=helmfile").ExpectAsync(HttpStatusCode.BadRequest);
        await world.As("operator").GetAsync("/api/v1/bootstrap?engine=flux").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Reindex_rebuilds_a_lost_index_from_git()
    {
        var list = $"/api/v1/tenants/{InstanceWorld.Other}/instances";
        var before = await world.As("other").GetAsync(list).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEmpty(before.GetProperty("items").EnumerateArray());

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(world.Factory.DataDir, "gantry.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM instances";
            await command.ExecuteNonQueryAsync();
        }

        Assert.Empty((await world.As("other").GetAsync(list).ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        await world.As("operator").PostAsync("/api/v1/admin/reindex", null).ExpectAsync(HttpStatusCode.Forbidden);

        var result = await world.As("platform-admin").PostAsync("/api/v1/admin/reindex", null).ExpectAsync(HttpStatusCode.OK);

        Assert.True(result.GetProperty("instances").GetInt32() >= 1);
        var after = await world.As("other").GetAsync(list).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(
            before.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("name").GetString(), i.GetProperty("revision").GetString())),
            after.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("name").GetString(), i.GetProperty("revision").GetString())));
    }
}
