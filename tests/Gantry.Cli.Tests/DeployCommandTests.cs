using System.Text.RegularExpressions;
using System.Text.Json;

namespace Gantry.Cli.Tests;

/// <summary><c>gantry deploy</c>, the platform design's deployment tool, against a real server.</summary>
[Collection(SharedGantryServer.Name)]
public sealed class DeployCommandTests(GantryServer server)
{
    [Fact]
    public async Task Deploy_creates_the_environment_named_by_the_design_then_updates_only_the_named_service()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);

        var created = await user.RunAsync("deploy", "--environment", "dev-team1", "--services", "user-service:v1.2.3");
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Matches(@"^environment/dev-team1 created \(dev, pool team1, revision [0-9a-f]{7}\)\n", created.Stdout);
        Assert.Matches(@"(?m)^user-service\s+v1\.2\.3\s+v1\.2\.3\s+general-public\s+yes$", created.Stdout);

        var environment = await user.JsonAsync("env", "get", "dev-team1");
        Assert.Equal("dev", environment.GetProperty("environment_type").GetString());
        Assert.Equal(GantryServer.Pool, environment.GetProperty("environment_pool").GetString());
        Assert.False(environment.GetProperty("deploy_only_specified").GetBoolean());
        // The whole catalog: the others at their default version, marked implicit.
        Assert.True(environment.GetProperty("services").GetProperty("api-gateway").GetProperty("implicit").GetBoolean());

        var updated = await user.JsonAsync("deploy", "--environment", "dev-team1", "--services", "auth-service:v2.1.0");
        var services = updated.GetProperty("services");
        Assert.Equal("v1.2.3", services.GetProperty("user-service").GetProperty("resolved_version").GetString());
        Assert.Equal("v2.1.0", services.GetProperty("auth-service").GetProperty("resolved_version").GetString());
        Assert.False(services.GetProperty("auth-service").TryGetProperty("implicit", out _));

        var otherType = await user.RunAsync("deploy", "--environment", "dev-team1", "--type", "stage", "--services", "auth-service:v2.1.0");
        Assert.Equal(4, otherType.ExitCode);
        Assert.Contains("is a dev environment; its type cannot change", otherType.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_only_specified_deploys_the_named_services_and_their_dependencies()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);

        var deployed = await user.JsonAsync("deploy", "--environment", "stage-team1-closure", "--services", "user-service:^1.2.0", "--deploy-only-specified");
        Assert.Equal("stage", deployed.GetProperty("environment_type").GetString());
        var services = deployed.GetProperty("services").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(["auth-service", "user-service"], services.Keys.Order(StringComparer.Ordinal));
        Assert.True(services["auth-service"].GetProperty("implicit").GetBoolean());
        Assert.Equal("v1.2.3", services["user-service"].GetProperty("resolved_version").GetString());
    }

    [Fact]
    public async Task Deploy_takes_the_claim_as_payload_or_file_with_flags_over_it()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);

        var payload = """{"environment_name": "dev-team1-payload", "environment_pool": "team1", "deploy_only_specified": true, "services": {"auth-service": "^2.1.0"}}""";
        var fromPayload = await user.JsonAsync("deploy", "--payload", payload);
        Assert.Equal("dev", fromPayload.GetProperty("environment_type").GetString());
        Assert.Equal("v2.2.0", fromPayload.GetProperty("services").GetProperty("auth-service").GetProperty("resolved_version").GetString());
        Assert.Single(fromPayload.GetProperty("services").EnumerateObject());

        using var folder = new TempFolder();
        var file = folder.Write("claim.json", """
            {"environment_name": "ignored-by-flag", "environment_type": "stage", "environment_pool": "team1", "deploy_only_specified": true,
             "services": {"user-service": "v1.1.0"}}
            """);
        var fromFile = await user.JsonAsync("deploy", "--file", file, "--environment", "stage-team1-file", "--services", "user-service:v1.2.0");
        Assert.Equal("stage-team1-file", fromFile.GetProperty("environment_name").GetString());
        Assert.Equal("stage", fromFile.GetProperty("environment_type").GetString());
        Assert.Equal("v1.2.0", fromFile.GetProperty("services").GetProperty("user-service").GetProperty("resolved_version").GetString());

        var both = await user.RunAsync("deploy", "--file", file, "--payload", payload);
        Assert.Equal(2, both.ExitCode);
    }

    [Fact]
    public async Task Dev_tags_are_used_on_sue_and_refused_in_words_elsewhere()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);

        var sue = await user.JsonAsync("deploy", "--environment", "sue-team1-tags", "--services", "user-service:^1.2.0", "--use-dev-tags", "--deploy-only-specified");
        Assert.Equal("sue", sue.GetProperty("environment_type").GetString());
        Assert.Equal("v1.3.0-dev.2", sue.GetProperty("services").GetProperty("user-service").GetProperty("resolved_version").GetString());
        Assert.NotEqual(JsonValueKind.Null, sue.GetProperty("expiration_date").ValueKind);

        var dev = await user.JsonAsync("deploy", "--environment", "dev-team1-tags", "--services", "user-service:^1.2.0", "--deploy-only-specified");
        Assert.Equal("v1.2.3", dev.GetProperty("services").GetProperty("user-service").GetProperty("resolved_version").GetString());

        var refused = await user.RunAsync("deploy", "--environment", "dev-team1-tags", "--services", "user-service:^1.2.0", "--use-dev-tags");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("dev tags are the sue type's policy", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_wait_shows_each_service_until_all_are_ready_or_one_fails()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);
        await user.JsonAsync("deploy", "--environment", "dev-team1-wait", "--services", "user-service:v1.2.3", "--deploy-only-specified");

        // The engine reports while the CLI waits: auth-service first, then user-service.
        var waiting = user.RunAsync("deploy", "--environment", "dev-team1-wait", "--services", "user-service:v1.2.3", "--wait", "--timeout", "60s", "--verbose");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await server.PostServiceEventAsync("dev-team1-wait", "auth-service", "v2.2.0", "info", "InstallSucceeded", "Helm install succeeded for auth-service");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await server.PostServiceEventAsync("dev-team1-wait", "user-service", "v1.2.3", "info", "InstallSucceeded", "Helm install succeeded for user-service");
        var ready = await waiting;
        Assert.True(ready.ExitCode == 0, ready.Stderr);
        Assert.Matches(@"(?m)^\d\d:\d\d:\d\d user-service v1\.2\.3 Committed$", ready.Stdout);
        Assert.Matches(@"(?m)^\d\d:\d\d:\d\d auth-service v2\.2\.0 Ready: Helm install succeeded for auth-service$", ready.Stdout);
        Assert.Matches(@"(?m)^environment/dev-team1-wait deployed: 2 services Ready$", ready.Stdout);

        // It followed the pool's status stream and read the environment on its events, not once a second for 4 s.
        Assert.Contains($"/api/v1/tenants/{GantryServer.Pool}/events/stream", ready.Stderr, StringComparison.Ordinal);
        var reads = Regex.Count(ready.Stderr, @"> GET \S*/api/v1/environments/dev-team1-wait HTTP");
        Assert.True(reads is >= 2 and <= 4, $"{reads} reads of the environment:\n{ready.Stderr}");

        await server.PostServiceEventAsync("dev-team1-wait", "user-service", "v1.2.3", "error", "UpgradeFailed", "Helm upgrade failed: context deadline exceeded");
        var failed = await user.RunAsync("deploy", "--environment", "dev-team1-wait", "--services", "user-service:v1.2.3", "--wait", "--timeout", "30s");
        Assert.Equal(5, failed.ExitCode);
        Assert.Contains("gantry: error: environment/dev-team1-wait is Failed: user-service Failed: Helm upgrade failed", failed.Stderr, StringComparison.Ordinal);
    }
}
