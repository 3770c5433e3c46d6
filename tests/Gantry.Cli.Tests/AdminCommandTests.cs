using System.Text.Json;

namespace Gantry.Cli.Tests;

/// <summary><c>gantry admin …</c> as the platform administrator, a tenant admin and a viewer, read back with <c>-o json</c>.</summary>
[Collection(SharedGantryServer.Name)]
public sealed class AdminCommandTests(GantryServer server)
{
    [Fact]
    public async Task A_platform_admin_creates_a_tenant_with_quotas_a_user_a_membership_and_an_api_key_that_works()
    {
        using var admin = await PlatformAdminAsync();

        var tenant = await admin.JsonAsync("admin", "tenants", "create", "adm-t1", "--display-name", "Admin test", "--max-instances", "4", "--allowed-offerings", "qdrant");
        Assert.Equal(4, tenant.GetProperty("quotas").GetProperty("maxInstances").GetInt32());
        Assert.Equal("qdrant", tenant.GetProperty("quotas").GetProperty("allowedOfferings")[0].GetString());

        // An update names one quota; the others stay (the API replaces them all, so the CLI sends the rest back).
        var updated = await admin.JsonAsync("admin", "tenants", "update", "adm-t1", "--max-replicas", "2");
        Assert.Equal(4, updated.GetProperty("quotas").GetProperty("maxInstances").GetInt32());
        Assert.Equal(2, updated.GetProperty("quotas").GetProperty("maxReplicasPerInstance").GetInt32());
        var table = await admin.RunAsync("admin", "tenants", "list");
        Assert.Matches(@"(?m)^NAME\s+DISPLAY-NAME\s+MAX-INSTANCES\s+MAX-REPLICAS\s+OFFERINGS\s+ENV-TYPES\s+AGE$", table.Stdout);
        Assert.Matches(@"(?m)^adm-t1\s+Admin test\s+4\s+2\s+qdrant\s+-\s+\d+s$", table.Stdout);

        var duplicate = await admin.RunAsync("admin", "tenants", "create", "adm-t1");
        Assert.Equal(4, duplicate.ExitCode);
        Assert.Equal("gantry: error: The tenant exists. A tenant named 'adm-t1' exists already.\n", duplicate.Stderr);

        // The password comes from standard input, never from an argument.
        var user = await JsonWithInputAsync(admin, GantryServer.Password + "\n", "admin", "users", "create", "adm-u1", "--email", "adm-u1@example.com", "--password-stdin");
        Assert.Equal("adm-u1", user.GetProperty("username").GetString());
        var noPassword = await admin.RunAsync("admin", "users", "create", "adm-u2");
        Assert.Equal(2, noPassword.ExitCode);
        Assert.Contains("--password-stdin", noPassword.Stderr, StringComparison.Ordinal);

        var member = await admin.JsonAsync("admin", "members", "add", "adm-u1", "--role", "viewer", "--tenant", "adm-t1");
        Assert.Equal("viewer", member.GetProperty("role").GetString());
        await admin.JsonAsync("admin", "members", "role", "adm-u1", "operator", "--tenant", "adm-t1");
        var members = await admin.JsonAsync("admin", "members", "list", "--tenant", "adm-t1");
        Assert.Contains(members.EnumerateArray(), m => m.GetProperty("username").GetString() == "adm-u1" && m.GetProperty("role").GetString() == "operator");
        var got = await admin.JsonAsync("admin", "users", "get", "adm-u1");
        Assert.Equal("adm-t1", got.GetProperty("memberships")[0].GetProperty("tenant").GetString());

        // The key's secret is in the create's answer only, and it signs in.
        var created = await admin.JsonAsync("admin", "api-keys", "create", "ci", "--role", "operator", "--expires", "30d", "--tenant", "adm-t1");
        var secret = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("apiKey").GetProperty("id").GetString()!;
        using (var script = new CliUser(server))
        {
            script.Environment["GANTRY_SERVER"] = server.Url.ToString();
            script.Environment["GANTRY_TOKEN"] = secret;
            var status = await script.RunAsync("status", "--tenant", "adm-t1");
            Assert.True(status.ExitCode == 0, status.Stderr);
        }

        // With --quiet the key is the whole output, for KEY=$(gantry admin api-keys create … --quiet).
        var quiet = await admin.RunAsync("admin", "api-keys", "create", "ci-quiet", "--role", "viewer", "--tenant", "adm-t1", "--quiet");
        Assert.True(quiet.ExitCode == 0, quiet.Stderr);
        Assert.Matches(@"^\S{20,}\n$", quiet.Stdout);
        Assert.Equal(string.Empty, quiet.Stderr);

        var keys = await admin.RunAsync("admin", "api-keys", "list", "--tenant", "adm-t1");
        Assert.DoesNotContain(secret, keys.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{id}\s+ci\s+operator\s+\S+\s+\S+\s+active\s", keys.Stdout);
        Assert.Equal(0, (await admin.RunAsync("admin", "api-keys", "revoke", "ci", "--yes", "--tenant", "adm-t1")).ExitCode);
        var revoked = (await admin.JsonAsync("admin", "api-keys", "list", "--tenant", "adm-t1")).EnumerateArray().Single(k => k.GetProperty("name").GetString() == "ci");
        Assert.NotEqual(JsonValueKind.Null, revoked.GetProperty("revokedAt").ValueKind);

        Assert.Equal(0, (await admin.RunAsync("admin", "members", "remove", "adm-u1", "--yes", "--tenant", "adm-t1")).ExitCode);
        Assert.Equal(0, (await admin.RunAsync("admin", "users", "delete", "adm-u1", "--yes")).ExitCode);
        var deleteUnconfirmed = await admin.RunAsync("admin", "tenants", "delete", "adm-t1");
        Assert.Equal(2, deleteUnconfirmed.ExitCode);
        Assert.Contains("--yes", deleteUnconfirmed.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await admin.RunAsync("admin", "tenants", "delete", "adm-t1", "--yes")).ExitCode);
        Assert.Equal(3, (await admin.RunAsync("admin", "tenants", "get", "adm-t1")).ExitCode);
    }

    [Fact]
    public async Task Clusters_register_prints_the_setup_for_kubectl_and_rotate_update_and_delete_it()
    {
        using var admin = await PlatformAdminAsync();

        var registered = await admin.RunAsync("admin", "clusters", "register", "adm-c1", "--engine", "flux", "--tenants", GantryServer.Tenant, "--print-setup");
        Assert.True(registered.ExitCode == 0, registered.Stderr);
        Assert.StartsWith("apiVersion: ", registered.Stdout, StringComparison.Ordinal);
        Assert.Contains("kind: Secret", registered.Stdout, StringComparison.Ordinal);
        Assert.Contains("shown only", registered.Stderr, StringComparison.Ordinal);

        var cluster = await admin.JsonAsync("admin", "clusters", "get", "adm-c1");
        Assert.EndsWith("/api/v1/webhooks/flux/adm-c1", cluster.GetProperty("webhookUrl").GetString(), StringComparison.Ordinal);
        var setup = await admin.RunAsync("admin", "clusters", "setup", "adm-c1");
        Assert.Contains("kind: Receiver", setup.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: Secret", setup.Stdout, StringComparison.Ordinal);

        var updated = await admin.JsonAsync("admin", "clusters", "update", "adm-c1", "--notify-url", "http://flux.example.com/hook");
        Assert.Equal("http://flux.example.com/hook", updated.GetProperty("notifyUrl").GetString());
        var rotated = await admin.JsonAsync("admin", "clusters", "rotate-secret", "adm-c1", "--yes");
        Assert.False(string.IsNullOrEmpty(rotated.GetProperty("webhookSecret").GetString()));
        var list = await admin.RunAsync("admin", "clusters", "list");
        Assert.Matches(@"(?m)^adm-c1\s+flux\s+acme\s+never\s+ok\s+\d+s$", list.Stdout);

        Assert.Equal(0, (await admin.RunAsync("admin", "clusters", "delete", "adm-c1", "--yes")).ExitCode);
        var gone = await admin.RunAsync("admin", "clusters", "get", "adm-c1");
        Assert.Equal(3, gone.ExitCode);
        Assert.StartsWith("gantry: error: ", gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_is_refused_admin_commands_in_words_with_exit_code_6()
    {
        using (var admin = await PlatformAdminAsync())
        {
            await JsonWithInputAsync(admin, GantryServer.Password + "\n", "admin", "users", "create", "adm-viewer", "--password-stdin");
            await admin.JsonAsync("admin", "members", "add", "adm-viewer", "--role", "viewer", "--tenant", GantryServer.Tenant);
        }

        using var viewer = new CliUser(server);
        await viewer.LoginAsync("adm-viewer", "--tenant", GantryServer.Tenant);
        var members = await viewer.JsonAsync("admin", "members", "list");
        Assert.Contains(members.EnumerateArray(), m => m.GetProperty("username").GetString() == "adm-viewer");
        var self = await viewer.JsonAsync("admin", "users", "list");
        Assert.Equal("adm-viewer", Assert.Single(self.EnumerateArray()).GetProperty("username").GetString());

        foreach (var args in new[]
        {
            new[] { "admin", "api-keys", "create", "sneaky", "--role", "admin" },
            ["admin", "members", "role", "adm-viewer", "admin"],
            ["admin", "tenants", "create", "adm-sneaky"],
            ["admin", "clusters", "register", "adm-sneaky", "--engine", "flux", "--tenants", GantryServer.Tenant],
        })
        {
            var refused = await viewer.RunAsync(args);
            Assert.True(refused.ExitCode == 6, $"{string.Join(' ', args)}: exit {refused.ExitCode}: {refused.Stderr}");
            Assert.Equal(string.Empty, refused.Stdout);
            Assert.Matches(@"^gantry: error: \S.*\n$", refused.Stderr);
        }
    }

    [Fact]
    public async Task A_tenant_admin_cannot_see_another_tenant_and_a_bad_key_names_the_field()
    {
        using var user = new CliUser(server);
        await user.LoginAsync("acme-admin", "--tenant", GantryServer.Tenant);

        var other = await user.RunAsync("admin", "tenants", "update", GantryServer.Other, "--max-instances", "1");
        Assert.Equal(3, other.ExitCode);
        Assert.StartsWith("gantry: error: ", other.Stderr, StringComparison.Ordinal);

        var bad = await user.RunAsync("admin", "api-keys", "create", new string('k', 101), "--role", "viewer");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("\n  name: ", bad.Stderr, StringComparison.Ordinal);
    }

    private async Task<CliUser> PlatformAdminAsync()
    {
        var admin = new CliUser(server);
        var login = await admin.RunWithInputAsync(GantryServer.AdminPassword + "\n", "login", server.Url.ToString(), "--username", "admin", "--password-stdin");
        Assert.True(login.ExitCode == 0, login.Stderr);
        return admin;
    }

    private static async Task<JsonElement> JsonWithInputAsync(CliUser user, string stdin, params string[] args)
    {
        var result = await user.RunWithInputAsync(stdin, [.. args, "-o", "json"]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }
}
