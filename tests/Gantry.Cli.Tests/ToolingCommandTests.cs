using System.Diagnostics;
using System.Text.Json;

namespace Gantry.Cli.Tests;

/// <summary>apply --dry-run, credentials rotate, --verbose, completion and version, through the real binary.</summary>
[Collection(SharedGantryServer.Name)]
public sealed class ToolingCommandTests(GantryServer server)
{
    [Fact]
    public async Task Apply_dry_run_shows_the_rendered_diff_and_writes_nothing()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");

        var planned = await user.RunAsync("instances", "apply", "dry1", "--offering", "qdrant", "--set", "replicaCount=2", "--dry-run");
        Assert.True(planned.ExitCode == 0, planned.Stderr);
        Assert.StartsWith("instance/dry1 would be created (dry run: nothing was written; qdrant chart ", planned.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\+\+\+ b/\S+dry1\S*$", planned.Stdout);
        Assert.Matches(@"(?m)^\+\s+replicaCount: 2$", planned.Stdout);
        Assert.Equal(3, (await user.RunAsync("instances", "get", "dry1")).ExitCode);

        await user.JsonAsync("instances", "apply", "dry1", "--offering", "qdrant", "--set", "replicaCount=2");
        var change = await user.JsonAsync("instances", "apply", "dry1", "--set", "replicaCount=3", "--dry-run");
        Assert.False(change.GetProperty("created").GetBoolean());
        Assert.Equal(2, change.GetProperty("generation").GetInt64());
        var patch = string.Concat(change.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("patch").GetString()));
        Assert.Matches(@"(?m)^-\s+replicaCount: 2$", patch);
        Assert.Matches(@"(?m)^\+\s+replicaCount: 3$", patch);
        Assert.Single((await user.JsonAsync("instances", "history", "dry1")).EnumerateArray());
        Assert.Equal(2, (await user.JsonAsync("instances", "get", "dry1")).GetProperty("values").GetProperty("replicaCount").GetInt32());

        var same = await user.RunAsync("instances", "apply", "dry1", "--set", "replicaCount=2", "--dry-run");
        Assert.StartsWith("instance/dry1 is unchanged", same.Stdout, StringComparison.Ordinal);

        var refused = await user.RunAsync("instances", "apply", "dry1", "--set", "replicaCount=12", "--dry-run");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("values.replicaCount", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_rotate_shows_new_values_once_and_commits()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");
        var created = await user.JsonAsync("instances", "apply", "keys1", "--offering", "qdrant");
        var first = created.GetProperty("credentials").GetProperty("api-key").GetString();

        var rotated = await user.RunAsync("instances", "credentials", "rotate", "keys1");
        Assert.True(rotated.ExitCode == 0, rotated.Stderr);
        Assert.Matches(@"^instance/keys1 credentials rotated \(revision [0-9a-f]{7}, generation 2\)\nGenerated credentials, shown only this once:\n  api-key: \S{20,}\n$", rotated.Stdout);
        Assert.DoesNotContain(first!, rotated.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, (await user.JsonAsync("instances", "history", "keys1")).GetArrayLength());

        var unknown = await user.RunAsync("instances", "credentials", "rotate", "keys1", "--secret", "nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("'nope' is not a secret that Gantry generates", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_shows_the_exchange_with_the_token_redacted()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");
        var token = JsonDocument.Parse(await File.ReadAllTextAsync(user.ConfigPath)).RootElement
            .GetProperty("contexts")[0].GetProperty("accessToken").GetString()!;

        var result = await user.RunAsync("instances", "list", "--verbose", "-o", "json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(result.Stdout).RootElement.ValueKind);
        Assert.Contains($"> GET {server.Url}api/v1/tenants/acme/instances?limit=500 HTTP/", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("> Authorization: Bearer [redacted]", result.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^< HTTP/\S+ 200 OK \(\d+ ms\)$", result.Stderr);
        Assert.DoesNotContain(token, result.Stderr, StringComparison.Ordinal);

        var login = await user.RunWithInputAsync(GantryServer.Password + "\n", "login", server.Url.ToString(), "--username", "acme-admin", "--password-stdin", "-v");
        Assert.Contains("> POST ", login.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(GantryServer.Password, login.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_scripts_ask_gantry_for_the_next_word()
    {
        using var user = new CliUser(server);
        var verbs = await user.RunAsync("__complete", "env", "");
        Assert.Equal(["create", "delete", "extend", "get", "list", "ls", "refresh"], verbs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith('-')).Order(StringComparer.Ordinal));
        var flag = await user.RunAsync("__complete", "deploy", "--ser");
        Assert.Equal("--services\n", flag.Stdout);

        foreach (var shell in new[] { "bash", "zsh", "fish", "pwsh" })
        {
            var script = await user.RunAsync("completion", shell);
            Assert.True(script.ExitCode == 0 && script.Stdout.Contains("gantry __complete", StringComparison.Ordinal), shell);
        }

        Assert.Equal(2, (await user.RunAsync("completion", "tcsh")).ExitCode);

        // The bash script itself, with gantry on the PATH as a user has it.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var bin = new TempFolder();
        var gantry = bin.Write("gantry", $"#!/bin/sh\nexec \"{Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet"}\" \"{Path.Combine(AppContext.BaseDirectory, "gantry.dll")}\" \"$@\"\n");
        File.SetUnixFileMode(gantry, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        bin.Write("script.bash", (await user.RunAsync("completion", "bash")).Stdout);
        var bash = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        bash.ArgumentList.Add("-c");
        bash.ArgumentList.Add($"PATH=\"{bin.Path}:$PATH\"; source \"{bin.Path}/script.bash\"; COMP_WORDS=(gantry instances cr); COMP_CWORD=2; _gantry_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
        using var process = Process.Start(bash)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal("credentials\n", output);
    }

    [Fact]
    public async Task Version_shows_the_client_and_the_servers_version()
    {
        using var user = new CliUser(server);
        var alone = await user.RunAsync("version");
        Assert.Matches(@"^Client: \d+\.\d+\.\d+\S*\n$", alone.Stdout);

        await user.LoginAsync("acme-admin");
        var both = await user.JsonAsync("version");
        Assert.Matches(@"^\d+\.\d+\.\d+", both.GetProperty("client").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", both.GetProperty("server").GetProperty("version").GetString());
        Assert.Equal("v1", both.GetProperty("server").GetProperty("api").GetString());
        var table = await user.RunAsync("version");
        Assert.Matches(@"(?m)^Server: \d+\.\d+\.\d+\S* \(API v1\) at http://127\.0\.0\.1:\d+$", table.Stdout);
    }
}
