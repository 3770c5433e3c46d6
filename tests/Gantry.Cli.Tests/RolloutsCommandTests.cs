namespace Gantry.Cli.Tests;

/// <summary><c>gantry rollouts</c> and <c>gantry instances pin|unpin</c> against a real server.</summary>
[Collection(SharedGantryServer.Name)]
public sealed class RolloutsCommandTests(GantryServer server)
{
    [Fact]
    public async Task Pin_preview_start_and_follow_a_rollout_then_unpin()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");
        foreach (var name in new[] { "fleet1", "fleet2" })
        {
            await user.JsonAsync("instances", "apply", name, "--offering", "qdrant", "--set", "replicaCount=1");
        }

        var pin = await user.JsonAsync("instances", "pin", "fleet2", "--reason", "customer freeze", "--until", "7d");
        Assert.Equal("customer freeze", pin.GetProperty("reason").GetString());

        string[] rollout = ["--offering", "qdrant", "--instances", "fleet1,fleet2", "--set", "replicaCount=2", "--gate", "Committed"];
        var preview = await user.JsonAsync(["rollouts", "preview", .. rollout]);
        Assert.Equal("fleet1", Assert.Single(preview.GetProperty("changes").EnumerateArray()).GetProperty("name").GetString());
        Assert.Contains("customer freeze", Assert.Single(preview.GetProperty("skipped").EnumerateArray()).GetProperty("reason").GetString(), StringComparison.Ordinal);
        var table = await user.RunAsync(["rollouts", "preview", .. rollout]);
        Assert.Contains("1 instances of qdrant change, 1 skipped, 0 problems", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Sample: acme/fleet1", table.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\+\s+replicaCount: 2$", table.Stdout);

        var done = await user.JsonAsync(["rollouts", "start", .. rollout, "--wait"]);
        Assert.Equal("Completed", done.GetProperty("state").GetString());
        var id = done.GetProperty("id").GetString()!;
        Assert.Equal(2, (await user.JsonAsync("instances", "get", "fleet1")).GetProperty("values").GetProperty("replicaCount").GetInt32());
        Assert.Equal(1, (await user.JsonAsync("instances", "get", "fleet2")).GetProperty("values").GetProperty("replicaCount").GetInt32());

        Assert.Contains((await user.JsonAsync("rollouts", "list")).EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        var shown = await user.RunAsync("rollouts", "get", id);
        Assert.Matches(@"(?m)^State:\s+Completed$", shown.Stdout);

        var again = await user.RunAsync("rollouts", "resume", id);
        Assert.Equal(4, again.ExitCode);
        Assert.Contains("cannot resume", again.Stderr, StringComparison.Ordinal);

        var unpinned = await user.RunAsync("instances", "unpin", "fleet2");
        Assert.Equal("instance/fleet2 unpinned\n", unpinned.Stdout);
    }
}
