using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Server.Environments;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Environments;

/// <summary>
/// Claims put straight into the environments bucket (the folder default), without the API: applied, reported when
/// bad without touching the good state, torn down when removed. Each test runs one pass of the watcher itself.
/// </summary>
public sealed class BucketWatchTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    [Fact]
    public async Task The_design_claim_file_uploaded_to_the_bucket_is_applied_and_its_removal_tears_it_down()
    {
        await PutAsync("team1/dev-team1-feature-x.json", File.ReadAllText(Path.Combine(ClaimsFolder, "dev-team1-feature-x.json")));

        Assert.True(await ScanAsync() >= 1);

        var got = await world.As("john.doe").GetAsync(new Uri("/api/v1/environments/dev-team1-feature-x", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("v2.2.0", got.GetProperty("services").GetProperty("auth-service").GetProperty("resolved_version").GetString());
        Assert.Equal("john.doe", got.GetProperty("user").GetString());
        Assert.True(File.Exists(Path.Combine(world.BucketFolder, "team1", "dev-team1-feature-x", "services", "user-service.yaml")));
        var listed = await world.As("john.doe").GetAsync(new Uri("/api/v1/environments?q=dev-team1-feature-x", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("v2.2.0", listed.GetProperty("items")[0].GetProperty("service_versions").GetProperty("auth-service").GetString());
        Assert.Equal(0, await ScanAsync());
        var audit = await world.As("platform-admin").GetAsync(new Uri("/api/v1/audit?tenant=team1&limit=500", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == EnvironmentAuditActions.Applied
            && e.GetProperty("actorName").GetString() == "team1/dev-team1-feature-x.json");

        File.Delete(Path.Combine(world.BucketFolder, "team1", "dev-team1-feature-x.json"));
        Assert.Equal(1, await ScanAsync());

        await world.As("john.doe").GetAsync(new Uri("/api/v1/environments/dev-team1-feature-x", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
        Assert.False(File.Exists(Path.Combine(world.BucketFolder, "team1", "dev-team1-feature-x", "services", "user-service.yaml")));
    }

    [Fact]
    public async Task A_broken_claim_is_invalid_with_reasons_and_the_good_state_stays()
    {
        await EnvironmentApiTests.Post(world.As("john.doe"), EnvironmentApiTests.Request("dev-kept", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "v2.1.0" }))
            .ExpectAsync(HttpStatusCode.Created);
        await ScanAsync();
        var release = Path.Combine(world.BucketFolder, "team1", "dev-kept", "services", "auth-service.yaml");
        var before = await File.ReadAllTextAsync(release);

        await PutAsync("team1/dev-kept.json", "{ not json");
        await PutAsync("team1/dev-wrong.json", """{"environment_name": "dev-wrong", "environment_type": "dev", "environment_pool": "team1", "services": {"billing": "1.0.0"}, "expiry": 1}""");
        await PutAsync("team1/prod-upload.json", """{"environment_name": "prod-upload", "environment_type": "prod", "environment_pool": "team1", "services": {"auth-service": "*"}}""");
        await ScanAsync();

        var page = await world.As("a-viewer").GetAsync(new Uri("/api/v1/environments", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        var invalid = page.GetProperty("invalid").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!, p => p);
        Assert.Equal("Invalid", invalid["team1/dev-kept.json"].GetProperty("phase").GetString());
        Assert.NotEmpty(invalid["team1/dev-kept.json"].GetProperty("reasons").EnumerateArray());
        Assert.Contains(invalid["team1/dev-wrong.json"].GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("expiry", StringComparison.Ordinal));
        Assert.Contains(invalid["team1/prod-upload.json"].GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("deployment_method", StringComparison.Ordinal));
        Assert.Equal(before, await File.ReadAllTextAsync(release));
        var kept = await world.As("john.doe").GetAsync(new Uri("/api/v1/environments/dev-kept", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("v2.1.0", kept.GetProperty("services").GetProperty("auth-service").GetProperty("resolved_version").GetString());
        Assert.Contains("dev-kept", page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("environment_name").GetString()));
        var outsider = await world.As("jane.smith").GetAsync(new Uri("/api/v1/environments", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(outsider.GetProperty("invalid").EnumerateArray());
        var health = JsonDocument.Parse(await world.Factory.CreateClient().GetStringAsync(new Uri("/hc?format=json", UriKind.Relative))).RootElement;
        Assert.Contains("claim(s) in the environments bucket are invalid", health.GetRawText(), StringComparison.Ordinal);

        // Fixed: applied, and no longer reported.
        await PutAsync("team1/dev-wrong.json", """{"environment_name": "dev-wrong", "environment_type": "dev", "environment_pool": "team1", "services": {"auth-service": "*"}}""");
        await ScanAsync();
        var after = await world.As("a-viewer").GetAsync(new Uri("/api/v1/environments", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(after.GetProperty("invalid").EnumerateArray(), p => p.GetProperty("key").GetString() == "team1/dev-wrong.json");
        await world.As("john.doe").GetAsync(new Uri("/api/v1/environments/dev-wrong", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_name_taken_by_another_pool_is_invalid_without_saying_whose()
    {
        await EnvironmentApiTests.Post(world.As("john.doe"), EnvironmentApiTests.Request("dev-taken", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "*" }))
            .ExpectAsync(HttpStatusCode.Created);

        await PutAsync("team2/dev-taken.json", """{"environment_name": "dev-taken", "environment_type": "dev", "environment_pool": "team2", "services": {"auth-service": "*"}}""");
        await PutAsync("team2/dev-elsewhere.json", """{"environment_name": "dev-elsewhere", "environment_type": "dev", "environment_pool": "team1", "services": {"auth-service": "*"}}""");
        await ScanAsync();

        var page = await world.As("jane.smith").GetAsync(new Uri("/api/v1/environments", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        var invalid = page.GetProperty("invalid").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!, p => p.GetProperty("reasons").GetRawText());
        Assert.Contains("name is taken", invalid["team2/dev-taken.json"], StringComparison.Ordinal);
        Assert.DoesNotContain("team1", invalid["team2/dev-taken.json"], StringComparison.Ordinal);
        Assert.Contains("environment_pool", invalid["team2/dev-elsewhere.json"], StringComparison.Ordinal);
        var owner = await world.As("john.doe").GetAsync(new Uri("/api/v1/environments/dev-taken", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("team1", owner.GetProperty("environment_pool").GetString());
    }

    private static string ClaimsFolder => Gantry.Testing.InteropFiles.InRepository("tests", "Gantry.Core.Tests", "Environments", "claims");

    private Task<int> ScanAsync() => world.Factory.Services.GetRequiredService<EnvironmentBucketWatcher>().ScanAsync(CancellationToken.None);

    // As an uploader would: the whole object at once (written beside, then moved into place).
    private async Task PutAsync(string key, string content)
    {
        var path = Path.Combine(world.BucketFolder, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".upload";
        await File.WriteAllTextAsync(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
