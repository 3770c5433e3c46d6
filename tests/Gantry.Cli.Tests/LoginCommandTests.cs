using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Cli.Tests;

/// <summary><c>gantry login</c> and <c>gantry context</c> against a real server: contexts, file permissions, token renewal, CI variables.</summary>
[Collection(SharedGantryServer.Name)]
public sealed class LoginCommandTests(GantryServer server)
{
    [Fact]
    public async Task Login_stores_a_current_context_in_a_file_only_its_owner_can_read()
    {
        using var user = new CliUser(server);
        var login = await user.LoginAsync("acme-admin");
        Assert.Contains("tenant acme", login.Stdout, StringComparison.Ordinal);

        Assert.True(File.Exists(user.ConfigPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(user.ConfigPath));
        }

        var stored = JsonNode.Parse(File.ReadAllText(user.ConfigPath))!;
        Assert.StartsWith("gantry_rt_", stored["contexts"]![0]!["refreshToken"]!.GetValue<string>(), StringComparison.Ordinal);

        var contexts = await user.JsonAsync("context", "list");
        var context = Assert.Single(contexts.EnumerateArray());
        Assert.True(context.GetProperty("current").GetBoolean());
        Assert.Equal("acme", context.GetProperty("tenant").GetString());
        Assert.Equal("password", context.GetProperty("auth").GetString());
        Assert.DoesNotContain("gantry_rt_", contexts.GetRawText(), StringComparison.Ordinal);

        // The context works: the catalog lists the shipped offerings.
        var offerings = await user.JsonAsync("offerings", "list");
        Assert.Contains(offerings.EnumerateArray(), o => o.GetProperty("name").GetString() == "qdrant");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_in_words_and_stores_nothing()
    {
        using var user = new CliUser(server);
        var result = await user.RunWithInputAsync("not the password\n", "login", server.Url.ToString(), "--username", "acme-admin", "--password-stdin");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains("The username or password is wrong.", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(user.ConfigPath));
    }

    [Fact]
    public async Task Contexts_are_listed_switched_and_deleted()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin", "--name", "acme");
        await user.LoginAsync("beta-admin", "--name", "beta");

        Assert.Equal("beta", Current(await user.JsonAsync("context", "list")));
        Assert.Equal(0, (await user.RunAsync("context", "use", "acme")).ExitCode);
        Assert.Equal("acme", Current(await user.JsonAsync("context", "list")));

        // --context picks another one for a single command.
        var inBeta = await user.JsonAsync("instances", "list", "--context", "beta");
        Assert.Equal(JsonValueKind.Array, inBeta.ValueKind);

        Assert.Equal(0, (await user.RunAsync("context", "delete", "beta")).ExitCode);
        var left = await user.JsonAsync("context", "list");
        Assert.Equal(["acme"], left.EnumerateArray().Select(c => c.GetProperty("name").GetString()));

        var missing = await user.RunAsync("context", "use", "beta");
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("no context 'beta'", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_access_token_is_renewed_with_the_stored_refresh_token()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");
        var before = Context(user);
        Rewrite(user, c => c["expiresAt"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O"));

        var result = await user.RunAsync("instances", "list", "-o", "json");
        Assert.True(result.ExitCode == 0, result.Stderr);

        // Refresh tokens rotate: the new pair is kept, so the next command works too.
        var after = Context(user);
        Assert.NotEqual(before["refreshToken"]!.GetValue<string>(), after["refreshToken"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(after["expiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow);
        Assert.Equal(0, (await user.RunAsync("instances", "list")).ExitCode);
    }

    [Fact]
    public async Task A_login_that_cannot_be_renewed_tells_the_user_to_log_in_again()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin");
        Rewrite(user, c =>
        {
            c["expiresAt"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToString("O");
            c["refreshToken"] = "gantry_rt_revoked";
        });

        var result = await user.RunAsync("instances", "list");
        Assert.Equal(6, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Contains("has expired and could not be renewed", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"log in again: gantry login {server.Url.ToString().TrimEnd('/')} --username acme-admin", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GANTRY_SERVER_GANTRY_TOKEN_and_GANTRY_TENANT_work_without_any_login()
    {
        using var http = await server.ClientAsAsync("acme-admin");
        using var user = new CliUser(server);
        user.Environment["GANTRY_SERVER"] = server.Url.ToString();
        user.Environment["GANTRY_TOKEN"] = http.DefaultRequestHeaders.Authorization!.Parameter!;
        user.Environment["GANTRY_TENANT"] = GantryServer.Tenant;

        var instances = await user.JsonAsync("instances", "list");
        Assert.Equal(JsonValueKind.Array, instances.ValueKind);
        Assert.False(File.Exists(user.ConfigPath));
    }

    [Fact]
    public async Task Without_a_login_a_command_says_how_to_log_in()
    {
        using var user = new CliUser(server);
        var result = await user.RunAsync("offerings", "list");
        Assert.Equal(6, result.ExitCode);
        Assert.Contains("gantry login <server>", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oidc_login_runs_the_device_flow_and_renews_the_token_at_the_provider()
    {
        using var user = new CliUser(server);
        var refreshedBefore = server.Issuer.Refreshed;

        // The person approves in a browser while the CLI polls.
        var login = user.RunAsync("login", server.Url.ToString(), "--oidc");
        await Task.Delay(TimeSpan.FromSeconds(2));
        server.Issuer.Approve("alice");
        var result = await login;
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("open " + server.Issuer.Authority + "/activate and enter the code WDJB-MJHT", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("as corp/alice, tenant acme", result.Stdout, StringComparison.Ordinal);
        var contexts = await user.JsonAsync("context", "list");
        Assert.Equal("oidc (corp)", contexts[0].GetProperty("auth").GetString());

        // The provider's tokens live 20 s, inside the CLI's renewal margin: the next command renews at the provider.
        var first = Context(user)["accessToken"]!.GetValue<string>();
        var listed = await user.RunAsync("instances", "list", "-o", "name");
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.True(server.Issuer.Refreshed > refreshedBefore);
        Assert.NotEqual(first, Context(user)["accessToken"]!.GetValue<string>());

        var unknown = await user.RunAsync("login", server.Url.ToString(), "--oidc", "nowhere");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("has no OpenID Connect provider 'nowhere'; it has: corp", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Browser_login_runs_the_authorization_code_flow_with_pkce_on_a_loopback_redirect()
    {
        using var user = new CliUser(server);
        using var login = user.Start("login", server.Url.ToString(), "--browser", "--skip-open-browser");
        var address = (await login.WaitForErrorLineAsync(l => l.StartsWith("  http", StringComparison.Ordinal))).Trim();
        Assert.StartsWith(server.Issuer.Authority + "/authorize?", address, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", address, StringComparison.Ordinal);
        Assert.Matches(@"redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcallback", address);

        // The test plays the browser: the provider signs alice in and redirects to the CLI's loopback address with the code.
        using (var browser = new HttpClient())
        {
            var page = await browser.GetStringAsync(new Uri(address));
            Assert.Contains("Signed in to Gantry", page, StringComparison.Ordinal);
        }

        var result = await login.WaitForExitAsync();
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("as corp/alice, tenant acme", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("oidc (corp)", (await user.JsonAsync("context", "list"))[0].GetProperty("auth").GetString());
        var listed = await user.RunAsync("instances", "list", "-o", "name");
        Assert.True(listed.ExitCode == 0, listed.Stderr);
    }

    [Fact]
    public async Task Browser_login_refuses_an_answer_with_another_state_in_words_with_exit_code_6()
    {
        using var user = new CliUser(server);
        using var login = user.Start("login", server.Url.ToString(), "--browser", "--skip-open-browser");
        var address = (await login.WaitForErrorLineAsync(l => l.StartsWith("  http", StringComparison.Ordinal))).Trim();
        var redirect = Uri.UnescapeDataString(System.Text.RegularExpressions.Regex.Match(address, "redirect_uri=([^&]+)").Groups[1].Value);

        // A page other than the provider's sends the browser to the loopback address with a code of its own.
        using (var browser = new HttpClient())
        {
            using var answer = await browser.GetAsync(new Uri($"{redirect}?code=forged&state=not-this-login"));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, answer.StatusCode);
        }

        var result = await login.WaitForExitAsync();
        Assert.Equal(6, result.ExitCode);
        Assert.Contains("gantry: error: the browser's answer does not belong to this login", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(user.ConfigPath));
    }

    private static string? Current(JsonElement contexts) =>
        contexts.EnumerateArray().Single(c => c.GetProperty("current").GetBoolean()).GetProperty("name").GetString();

    private static JsonNode Context(CliUser user) => JsonNode.Parse(File.ReadAllText(user.ConfigPath))!["contexts"]![0]!;

    private static void Rewrite(CliUser user, Action<JsonNode> change)
    {
        var config = JsonNode.Parse(File.ReadAllText(user.ConfigPath))!;
        change(config["contexts"]![0]!);
        File.WriteAllText(user.ConfigPath, config.ToJsonString());
    }
}
