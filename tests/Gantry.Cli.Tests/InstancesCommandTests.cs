using System.Net.Http.Json;
using System.Text.Json;

namespace Gantry.Cli.Tests;

/// <summary><c>gantry instances</c> and <c>gantry offerings</c> against a real server, read back with <c>-o json</c>.</summary>
[Collection(SharedGantryServer.Name)]
public sealed class InstancesCommandTests(GantryServer server)
{
    [Fact]
    public async Task Apply_get_list_scale_history_diff_and_rollback_round_trip_as_json()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");

        var created = await user.JsonAsync("instances", "apply", "rt1", "--offering", "qdrant", "--set", "replicaCount=1", "--set", "persistence.size=20Gi");
        Assert.Equal(1, created.GetProperty("status").GetProperty("generation").GetInt64());
        Assert.True(created.GetProperty("credentials").TryGetProperty("api-key", out _));

        var got = await user.JsonAsync("instances", "get", "rt1");
        Assert.Equal(JsonValueKind.Number, got.GetProperty("values").GetProperty("replicaCount").ValueKind);
        Assert.Equal("20Gi", got.GetProperty("values").GetProperty("persistence").GetProperty("size").GetString());
        Assert.False(got.TryGetProperty("credentials", out _));

        var listed = await user.JsonAsync("instances", "list");
        Assert.Contains(listed.EnumerateArray(), i => i.GetProperty("name").GetString() == "rt1" && i.GetProperty("offering").GetString() == "qdrant"
            && i.GetProperty("changedBy").GetString() == "acme-admin");

        var scaled = await user.JsonAsync("instances", "scale", "rt1", "--replicas", "3");
        Assert.Equal(3, scaled.GetProperty("values").GetProperty("replicaCount").GetInt32());

        var history = (await user.JsonAsync("instances", "history", "rt1")).EnumerateArray().ToList();
        Assert.Equal(2, history.Count);
        var first = history[1].GetProperty("revision").GetString()!;
        Assert.Equal(scaled.GetProperty("revision").GetString(), history[0].GetProperty("revision").GetString());

        // Short revisions, as the table shows them, are resolved against the history.
        var diff = await user.JsonAsync("instances", "diff", "rt1", "--from", first[..7], "--to", history[0].GetProperty("revision").GetString()![..7]);
        Assert.Contains(diff.EnumerateArray(), d => d.GetProperty("patch").GetString()!.Contains("replicaCount", StringComparison.Ordinal));
        var text = await user.RunAsync("instances", "diff", "rt1", "--from", first, "--to", "HEAD");
        Assert.Matches(@"(?m)^\+\s*replicaCount: 3$", text.Stdout);

        var rolledBack = await user.JsonAsync("instances", "rollback", "rt1", "--to", first[..8]);
        Assert.Equal(1, rolledBack.GetProperty("values").GetProperty("replicaCount").GetInt32());
        Assert.Equal(3, rolledBack.GetProperty("status").GetProperty("generation").GetInt64());

        var names = await user.RunAsync("instances", "list", "-o", "name");
        Assert.Contains("instance/rt1\n", names.Stdout, StringComparison.Ordinal);
        var yaml = await user.RunAsync("instances", "get", "rt1", "-o", "yaml");
        Assert.Contains("name: rt1", yaml.Stdout, StringComparison.Ordinal);
        var table = await user.RunAsync("instances", "list");
        Assert.Matches(@"(?m)^NAME\s+OFFERING\s+CHART\s+PHASE\s+DEPLOYED\s+REVISION\s+NAMESPACE\s+UPDATED\s+BY$", table.Stdout);
        Assert.Matches(@"(?m)^rt1\s+qdrant\s+1\.13\.6\s+Committed\s+no\s.*\sacme-admin$", table.Stdout);
        var details = await user.RunAsync("instances", "get", "rt1");
        Assert.Matches(@"(?m)^Updated:?\s+.* ago\) by acme-admin$", details.Stdout);
    }

    [Fact]
    public async Task A_refused_apply_prints_every_field_error_to_stderr_and_nothing_to_stdout()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");

        var result = await user.RunAsync("instances", "apply", "bad1", "--offering", "qdrant", "--set", "replicaCount=99", "--set", "persistence.size=lots");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.StartsWith("gantry: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("  values.replicaCount: ", StringComparison.Ordinal) || l.StartsWith("  replicaCount: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  ", StringComparison.Ordinal) && l.Contains("persistence.size", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_tenants_instance_is_not_found_with_exit_code_3()
    {
        using var acme = new CliUser(server);
        await acme.LoginAsync("acme-admin");
        await acme.JsonAsync("instances", "apply", "private1", "--offering", "qdrant");

        using var beta = new CliUser(server);
        await beta.LoginAsync("beta-admin");
        var result = await beta.RunAsync("instances", "get", "private1", "--tenant", GantryServer.Tenant);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.StartsWith("gantry: error: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_with_wait_prints_the_ready_phase_once_the_engine_reports()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");

        var apply = user.RunAsync("instances", "apply", "waited1", "--offering", "qdrant", "--set", "replicaCount=2", "--wait", "--timeout", "30s");
        await ReportWhenCommittedAsync("waited1", generation: 1, "info", "InstallSucceeded", "Helm install succeeded");
        var result = await apply;

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("instance/waited1 created", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("instance/waited1 Ready: Helm install succeeded", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_with_wait_exits_5_when_the_engine_reports_failure()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");
        await user.JsonAsync("instances", "apply", "failing1", "--offering", "qdrant");

        var scale = user.RunAsync("instances", "scale", "failing1", "--replicas", "2", "--wait", "--timeout", "30s", "-o", "json");
        await ReportWhenCommittedAsync("failing1", generation: 2, "error", "UpgradeFailed", "upgrade failed: image pull back-off");
        var result = await scale;

        Assert.Equal(5, result.ExitCode);
        Assert.Equal("Failed", JsonDocument.Parse(result.Stdout).RootElement.GetProperty("status").GetProperty("phase").GetString());
        Assert.Contains("image pull back-off", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_follows_the_status_stream_until_the_outcome()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");
        await user.JsonAsync("instances", "apply", "watched1", "--offering", "qdrant");

        var watch = user.RunAsync("instances", "watch", "watched1", "--timeout", "30s");
        await Task.Delay(500);
        await server.PostFluxEventAsync("watched1", 1, "info", "Progressing", "installing");
        await server.PostFluxEventAsync("watched1", 1, "info", "InstallSucceeded", "Helm install succeeded");
        var result = await watch;

        Assert.True(result.ExitCode == 0, result.Stderr);
        // Normally the watch starts before the reports and prints each; on a slow machine it may start after them and
        // print only the outcome it reads with the status.
        var lines = result.Stdout.TrimEnd('\n').Split('\n');
        Assert.EndsWith("Helm install succeeded", lines[^1], StringComparison.Ordinal);
        if (lines[0].Contains("Committed generation 1", StringComparison.Ordinal))
        {
            Assert.EndsWith("Ready flux/flux-acme generation 1 InstallSucceeded: Helm install succeeded", lines[^1], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Delete_asks_for_yes_off_a_terminal_and_then_removes_the_instance()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");
        await user.JsonAsync("instances", "apply", "doomed1", "--offering", "qdrant");

        var refused = await user.RunAsync("instances", "delete", "doomed1");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--yes", refused.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await user.RunAsync("instances", "delete", "doomed1", "--yes")).ExitCode);
        Assert.Equal(3, (await user.RunAsync("instances", "get", "doomed1")).ExitCode);
    }

    [Fact]
    public async Task Quiet_prints_no_confirmations_but_keeps_what_was_asked_for_the_secrets_shown_once_and_the_errors()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");

        // A create's generated credentials are shown only now, so --quiet keeps them, alone.
        var created = await user.RunAsync("instances", "apply", "quiet1", "--offering", "qdrant", "--quiet");
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Matches(@"^(api-key: \S+\n)+$", created.Stdout);
        Assert.Equal(string.Empty, created.Stderr);

        var scaled = await user.RunAsync("instances", "scale", "quiet1", "--replicas", "2", "--quiet");
        Assert.Equal((0, string.Empty, string.Empty), (scaled.ExitCode, scaled.Stdout, scaled.Stderr));
        Assert.Equal(2, (await user.JsonAsync("instances", "get", "quiet1")).GetProperty("values").GetProperty("replicaCount").GetInt32());

        // What was asked for still prints: a list, -o name.
        Assert.Contains("instance/quiet1\n", (await user.RunAsync("instances", "list", "-o", "name", "--quiet")).Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^quiet1\s+qdrant\s", (await user.RunAsync("instances", "list", "--quiet")).Stdout);

        // Errors too, with their exit codes.
        var refused = await user.RunAsync("instances", "scale", "quiet1", "--replicas", "42", "--quiet");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(string.Empty, refused.Stdout);
        Assert.Contains("replicaCount", refused.Stderr, StringComparison.Ordinal);

        var deleted = await user.RunAsync("instances", "delete", "quiet1", "--yes", "--quiet");
        Assert.Equal((0, string.Empty, string.Empty), (deleted.ExitCode, deleted.Stdout, deleted.Stderr));
    }

    [Fact]
    public async Task Offerings_show_prints_the_values_schema_as_a_table()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");

        var result = await user.RunAsync("offerings", "show", "qdrant");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Matches(@"(?m)^FIELD\s+TYPE\s+DEFAULT\s+ALLOWED\s+DESCRIPTION", result.Stdout);
        Assert.Matches(@"(?m)^replicaCount\s+integer\s+1\s+1\.\.9\s+Number of Qdrant nodes", result.Stdout);
        Assert.Matches(@"(?m)^persistence\.size\s+string\s+10Gi\s+matches", result.Stdout);

        var missing = await user.RunAsync("offerings", "show", "nothing-here");
        Assert.Equal(3, missing.ExitCode);
    }

    [Fact]
    public async Task A_bad_flag_is_a_usage_error()
    {
        using var user = new CliUser(server);
        var result = await user.RunAsync("instances", "scale", "x", "--replicas", "many");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
    }

    /// <summary>The engine's part: once the change is committed, report on that generation, as Flux would.</summary>
    private async Task ReportWhenCommittedAsync(string instance, long generation, string severity, string reason, string message)
    {
        using var http = await server.ClientAsAsync("acme-admin");
        for (var i = 0; i < 200; i++)
        {
            var response = await http.GetAsync($"/api/v1/tenants/{GantryServer.Tenant}/instances/{instance}");
            if (response.IsSuccessStatusCode
                && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetProperty("generation").GetInt64() == generation)
            {
                await server.PostFluxEventAsync(instance, generation, severity, reason, message);
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"{instance} never reached generation {generation}");
    }
}
