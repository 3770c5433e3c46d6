using System.Text.Json;

namespace Gantry.Cli.Tests;

/// <summary><c>gantry env</c> against a real server: the claim from flags or a file, read back with <c>-o json</c>.</summary>
[Collection(SharedGantryServer.Name)]
public sealed class EnvCommandTests(GantryServer server)
{
    [Fact]
    public async Task Env_create_from_flags_list_get_extend_refresh_and_delete()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);

        var created = await user.JsonAsync("env", "create", "sue-team1-flags", "--type", "sue", "--services", "user-service:^1.2.0", "auth-service:v2.1.0",
            "--deploy-only-specified");
        Assert.Equal(GantryServer.Pool, created.GetProperty("environment_pool").GetString());
        Assert.Equal(GantryServer.PoolUser, created.GetProperty("user").GetString());
        var services = created.GetProperty("services");
        Assert.Equal("v2.1.0", services.GetProperty("auth-service").GetProperty("resolved_version").GetString());
        Assert.False(services.TryGetProperty("api-gateway", out _));
        var expires = created.GetProperty("expiration_date").GetDateTimeOffset();

        var listed = await user.JsonAsync("env", "list", "--type", "sue");
        var item = Assert.Single(listed.EnumerateArray(), e => e.GetProperty("environment_name").GetString() == "sue-team1-flags");
        Assert.Equal("v2.1.0", item.GetProperty("service_versions").GetProperty("auth-service").GetString());
        var table = await user.RunAsync("env", "list");
        Assert.Matches(@"(?m)^NAME\s+TYPE\s+POOL\s+USER\s+METHOD\s+SERVICES\s+EXPIRES\s+AGE$", table.Stdout);
        Assert.Matches(@"(?m)^sue-team1-flags\s+sue\s+team1\s+team1-dev\s+bucket\s+user-service:v1\.3\.0-dev\.2,auth-service:v2\.1\.0\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+\d+s$", table.Stdout);

        var got = await user.RunAsync("env", "get", "sue-team1-flags");
        Assert.Equal(0, got.ExitCode);
        Assert.Matches(@"(?m)^user-service\s+\^1\.2\.0\s+v1\.3\.0-dev\.2\s+general-public\s+yes\s+Committed$", got.Stdout);

        var extended = await user.JsonAsync("env", "extend", "sue-team1-flags", "--until", "48h");
        Assert.True(extended.GetProperty("expiration_date").GetDateTimeOffset() > expires.AddHours(20));

        var refreshed = await user.JsonAsync("env", "refresh", "sue-team1-flags");
        Assert.Equal("v1.3.0-dev.2", refreshed.GetProperty("services").GetProperty("user-service").GetProperty("resolved_version").GetString());

        var deleted = await user.RunAsync("env", "delete", "sue-team1-flags", "--yes");
        Assert.Equal((0, "environment/sue-team1-flags deleted\n"), (deleted.ExitCode, deleted.Stdout));
        var gone = await user.RunAsync("env", "get", "sue-team1-flags");
        Assert.Equal(3, gone.ExitCode);
        Assert.StartsWith("gantry: error: ", gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Env_create_from_a_claim_file_with_flags_over_it_and_a_typo_refused_by_name()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);
        using var folder = new TempFolder();
        var claim = folder.Write("claim.json", """
            {"environment_name": "dev-team1-file", "environment_type": "dev", "environment_pool": "team1",
             "deploy_only_specified": true, "services": {"user-service": "v1.2.0", "auth-service": {"version": "^2.1.0", "node_pool": "spot"}}}
            """);

        var created = await user.JsonAsync("env", "create", "--file", claim, "--services", "user-service:v1.2.3");
        Assert.Equal("dev-team1-file", created.GetProperty("environment_name").GetString());
        var services = created.GetProperty("services");
        Assert.Equal("v1.2.3", services.GetProperty("user-service").GetProperty("resolved_version").GetString());
        Assert.Equal("spot", services.GetProperty("auth-service").GetProperty("node_pool").GetString());

        var typo = folder.Write("typo.json", """{"environment_name": "dev-team1-typo", "environment_type": "dev", "environment_pool": "team1", "expiry_date": null, "services": {"user-service": "v1.2.3"}}""");
        var refused = await user.RunAsync("env", "create", "--file", typo);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(string.Empty, refused.Stdout);
        Assert.Contains("expiry_date", refused.Stderr, StringComparison.Ordinal);

        var badJson = folder.Write("bad.json", "{\"environment_name\": \"x\",\n \"services\": {\"a\": \"1\", \"a\": \"2\"}}");
        var duplicate = await user.RunAsync("env", "create", "--file", badJson);
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains($"{badJson}, line 2", duplicate.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_pools_environment_is_not_found_and_a_missing_type_is_a_usage_error()
    {
        using var owner = new CliUser(server);
        await owner.LoginAsync(GantryServer.PoolUser);
        await owner.JsonAsync("env", "create", "dev-team1-private", "--type", "dev", "--services", "auth-service:*");

        using var stranger = new CliUser(server);
        await stranger.LoginAsync("beta-admin");
        var result = await stranger.RunAsync("env", "get", "dev-team1-private");
        Assert.Equal(3, result.ExitCode);
        var list = await stranger.JsonAsync("env", "list");
        Assert.DoesNotContain(list.EnumerateArray(), e => e.GetProperty("environment_name").GetString() == "dev-team1-private");

        var usage = await owner.RunAsync("env", "create", "dev-team1-notype", "--services", "auth-service:*");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--type", usage.Stderr, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, list.ValueKind);
    }
}
