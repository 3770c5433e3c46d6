using System.Text.Json;

namespace Gantry.Cli.Tests;

/// <summary><c>gantry status</c>: one table of a tenant's instances and environments, and <c>--watch</c> over the event stream.</summary>
[Collection(SharedGantryServer.Name)]
public sealed class StatusCommandTests(GantryServer server)
{
    [Fact]
    public async Task Status_lists_the_tenants_instances_and_its_pools_environments_with_their_phase()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser, "--tenant", GantryServer.Pool);
        await user.JsonAsync("instances", "apply", "status1", "--offering", "qdrant");
        await user.JsonAsync("env", "create", "dev-team1-status", "--type", "dev", "--services", "user-service:v1.2.3", "--deploy-only-specified");

        var rows = (await user.JsonAsync("status")).EnumerateArray().ToList();
        var instance = Assert.Single(rows, r => r.GetProperty("key").GetString() == "instance/status1");
        Assert.Equal("Committed", instance.GetProperty("phase").GetString());
        Assert.Equal(40, instance.GetProperty("revision").GetString()!.Length);
        var environment = Assert.Single(rows, r => r.GetProperty("key").GetString() == "environment/dev-team1-status");
        Assert.Equal("Committed", environment.GetProperty("phase").GetString());
        // user-service needs auth-service, which comes along.
        Assert.Equal("0/2 services Ready", environment.GetProperty("message").GetString());

        var table = await user.RunAsync("status");
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Matches(@"(?m)^KIND\s+NAME\s+PHASE\s+REVISION\s+UPDATED\s+MESSAGE$", table.Stdout);
        Assert.Matches(@"(?m)^instance\s+status1\s+Committed\s+[0-9a-f]{7}\s+\d+[smhd]$", table.Stdout);
        Assert.Matches(@"(?m)^environment\s+dev-team1-status\s+Committed\s+\S+\s+\d+[smhd]\s+0/2 services Ready$", table.Stdout);

        var names = await user.RunAsync("status", "-o", "name");
        Assert.Contains("environment/dev-team1-status\n", names.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_another_tenant_is_refused_in_words_with_exit_code_3()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("beta-admin");

        var result = await user.RunAsync("status", "--tenant", GantryServer.Tenant);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.StartsWith("gantry: error: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_prints_a_json_line_when_an_engine_event_changes_an_instances_phase_and_ends_on_ctrl_c()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin", "--tenant", GantryServer.Tenant);
        await user.JsonAsync("instances", "apply", "watched2", "--offering", "qdrant");

        using var watch = user.Start("status", "--watch", "-o", "json");
        var first = JsonDocument.Parse(await watch.WaitForLineAsync(l => l.Contains("\"instance/watched2\"", StringComparison.Ordinal))).RootElement;
        Assert.Equal("Committed", first.GetProperty("phase").GetString());

        await server.PostFluxEventAsync("watched2", 1, "info", "InstallSucceeded", "Helm install succeeded");
        var changed = JsonDocument.Parse(await watch.WaitForLineAsync(l => l.Contains("\"instance/watched2\"", StringComparison.Ordinal))).RootElement;
        Assert.Equal("Ready", changed.GetProperty("phase").GetString());
        Assert.Equal("Helm install succeeded", changed.GetProperty("message").GetString());

        await watch.InterruptAsync();
        var result = await watch.WaitForExitAsync();
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
    }

    [Fact]
    public async Task Watch_prints_one_line_per_change_of_an_environment_and_ends_at_its_timeout()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser, "--tenant", GantryServer.Pool);
        await user.JsonAsync("env", "create", "dev-team1-watch", "--type", "dev", "--services", "user-service:v1.2.3", "--deploy-only-specified");

        using var watch = user.Start("status", "--watch", "--timeout", "15s");
        await watch.WaitForLineAsync(l => l.StartsWith("environment", StringComparison.Ordinal) && l.Contains("dev-team1-watch", StringComparison.Ordinal));

        await server.PostServiceEventAsync("dev-team1-watch", "user-service", "v1.2.3", "info", "InstallSucceeded", "Helm install succeeded for user-service");
        var line = await watch.WaitForLineAsync(l => l.Contains("environment/dev-team1-watch", StringComparison.Ordinal));
        Assert.Matches(@"^\d\d:\d\d:\d\d environment/dev-team1-watch Reconciling \S+: 1/2 services Ready$", line);
        await server.PostServiceEventAsync("dev-team1-watch", "auth-service", "v2.2.0", "info", "InstallSucceeded", "Helm install succeeded for auth-service");
        line = await watch.WaitForLineAsync(l => l.Contains("environment/dev-team1-watch", StringComparison.Ordinal));
        Assert.Matches(@"^\d\d:\d\d:\d\d environment/dev-team1-watch Ready \S+: 2/2 services Ready$", line);

        var result = await watch.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Matches(@"(?m)^KIND\s+NAME\s+PHASE", result.Stdout);
    }
}
