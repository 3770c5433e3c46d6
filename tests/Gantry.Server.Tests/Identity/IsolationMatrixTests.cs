using System.Net;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Identity;

/// <summary>
/// Every tenant-scoped endpoint (identity and instances), called by each principal of tenant A against tenant B: never a read, never a change,
/// always 404 (B's existence is not revealed). Within A, what a role may see but not change answers 403.
/// </summary>
public sealed class IsolationMatrixTests(IdentityWorld world) : IClassFixture<IdentityWorld>
{
    public static TheoryData<string> TenantAPrincipals => ["a-viewer", "a-operator", "a-admin", "a-key"];

    private IEnumerable<(HttpMethod Method, string Url, object? Body)> EndpointsOfB()
    {
        var b = IdentityWorld.TenantB;
        var bAdmin = world.UserIds["b-admin"];
        var aViewer = world.UserIds["a-viewer"];
        yield return (HttpMethod.Get, $"/api/v1/tenants/{b}", null);
        yield return (HttpMethod.Patch, $"/api/v1/tenants/{b}", new { displayName = "taken over" });
        yield return (HttpMethod.Delete, $"/api/v1/tenants/{b}", null);
        yield return (HttpMethod.Get, $"/api/v1/tenants/{b}/members", null);
        yield return (HttpMethod.Put, $"/api/v1/tenants/{b}/members/{aViewer}", new { role = "admin" });
        yield return (HttpMethod.Put, $"/api/v1/tenants/{b}/members/{bAdmin}", new { role = "viewer" });
        yield return (HttpMethod.Delete, $"/api/v1/tenants/{b}/members/{bAdmin}", null);
        yield return (HttpMethod.Get, $"/api/v1/tenants/{b}/api-keys", null);
        yield return (HttpMethod.Post, $"/api/v1/tenants/{b}/api-keys", new { name = "stolen", role = "admin" });
        yield return (HttpMethod.Delete, $"/api/v1/tenants/{b}/api-keys/{world.KeyBId}", null);
        yield return (HttpMethod.Get, $"/api/v1/audit?tenant={b}", null);
        yield return (HttpMethod.Get, $"/api/v1/users/{bAdmin}", null);
        yield return (HttpMethod.Patch, $"/api/v1/users/{bAdmin}", new { password = "a new password of b admin" });
        yield return (HttpMethod.Delete, $"/api/v1/users/{bAdmin}", null);

        var instances = $"/api/v1/tenants/{b}/instances";
        var db = $"{instances}/{IdentityWorld.InstanceName}";
        var revision = world.FirstRevisions[b];
        yield return (HttpMethod.Get, instances, null);
        yield return (HttpMethod.Get, db, null);
        yield return (HttpMethod.Put, db, new { offering = "qdrant", values = new { replicaCount = 9 } });
        yield return (HttpMethod.Put, $"{instances}/planted", new { offering = "qdrant" });
        yield return (HttpMethod.Patch, db, new { replicaCount = 9 });
        yield return (HttpMethod.Delete, db, null);
        yield return (HttpMethod.Post, $"{db}/scale", new { replicas = 9 });
        yield return (HttpMethod.Get, $"{db}/history", null);
        yield return (HttpMethod.Get, $"{db}/diff?from={revision}&to={revision}", null);
        yield return (HttpMethod.Post, $"{db}/rollback", new { revision });
    }

    [Theory]
    [MemberData(nameof(TenantAPrincipals))]
    public async Task Tenant_A_principals_get_404_for_every_endpoint_of_tenant_B(string who)
    {
        var client = world.As(who);
        var failures = new List<string>();
        foreach (var (method, url, body) in EndpointsOfB())
        {
            var response = await client.SendJsonAsync(method, url, body);
            if (response.StatusCode != HttpStatusCode.NotFound || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.Add($"{method} {url}: {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
            }
        }

        Assert.Empty(failures);
        await AssertTenantBIntactAsync();
    }

    [Theory]
    [MemberData(nameof(TenantAPrincipals))]
    public async Task Lists_never_show_tenant_B(string who)
    {
        var client = world.As(who);

        var tenants = await client.GetAsync("/api/v1/tenants").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([IdentityWorld.TenantA], tenants.EnumerateArray().Select(t => t.GetProperty("name").GetString()));

        var users = await client.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(users.EnumerateArray(), u => u.GetProperty("username").GetString() is "b-admin" or "admin");

        var audit = await client.GetAsync("/api/v1/audit").ExpectAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(audit.EnumerateArray(), e => e.GetProperty("tenant").ValueKind == System.Text.Json.JsonValueKind.String
            && e.GetProperty("tenant").GetString() != IdentityWorld.TenantA);
    }

    [Theory]
    [MemberData(nameof(TenantAPrincipals))]
    public async Task Platform_actions_are_forbidden_to_tenant_principals(string who)
    {
        var client = world.As(who);

        await client.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = "new-tenant" }).ExpectAsync(HttpStatusCode.Forbidden);
        await client.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = "intruder", password = IdentityWorld.Password }).ExpectAsync(HttpStatusCode.Forbidden);
        await client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/tenants/{IdentityWorld.TenantA}", new { quotas = new { maxInstances = 1000 } }).ExpectAsync(HttpStatusCode.Forbidden);
        await client.SendJsonAsync(HttpMethod.Delete, $"/api/v1/tenants/{IdentityWorld.TenantA}").ExpectAsync(HttpStatusCode.Forbidden);
        await client.PostAsync("/api/v1/auth/signing-keys/rotate", null).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("a-viewer", HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData("a-operator", HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData("a-admin", HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK)]
    [InlineData("a-key", HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK)]
    public async Task Within_tenant_A_roles_see_what_they_may_and_get_403_for_the_rest(
        string who, HttpStatusCode readTenant, HttpStatusCode listKeys, HttpStatusCode readAudit)
    {
        var client = world.As(who);
        var a = IdentityWorld.TenantA;

        await client.GetAsync($"/api/v1/tenants/{a}").ExpectAsync(readTenant);
        await client.GetAsync($"/api/v1/tenants/{a}/members").ExpectAsync(HttpStatusCode.OK);
        await client.GetAsync($"/api/v1/tenants/{a}/api-keys").ExpectAsync(listKeys);
        await client.GetAsync($"/api/v1/audit?tenant={a}").ExpectAsync(readAudit);
        if (listKeys == HttpStatusCode.Forbidden)
        {
            await client.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{a}/members/{world.UserIds["a-viewer"]}", new { role = "admin" }).ExpectAsync(HttpStatusCode.Forbidden);
            await client.SendJsonAsync(HttpMethod.Post, $"/api/v1/tenants/{a}/api-keys", new { name = "x", role = "admin" }).ExpectAsync(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task Platform_admin_sees_both_tenants_and_all_users()
    {
        var client = world.As("platform-admin");

        var tenants = await client.GetAsync("/api/v1/tenants").ExpectAsync(HttpStatusCode.OK);
        Assert.Superset(new HashSet<string?> { IdentityWorld.TenantA, IdentityWorld.TenantB }, tenants.EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToHashSet());
        await client.GetAsync($"/api/v1/tenants/{IdentityWorld.TenantB}/api-keys").ExpectAsync(HttpStatusCode.OK);
        await client.GetAsync($"/api/v1/tenants/{IdentityWorld.TenantA}/members").ExpectAsync(HttpStatusCode.OK);
        var users = await client.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("username").GetString() == "b-admin");
    }

    [Fact]
    public async Task A_user_reads_their_own_record_without_a_password_hash()
    {
        var me = await world.As("a-viewer").GetAsync($"/api/v1/users/{world.UserIds["a-viewer"]}").ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("a-viewer", me.GetProperty("username").GetString());
        Assert.False(me.TryGetProperty("passwordHash", out _));
        Assert.Equal("viewer", me.GetProperty("memberships")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task Without_a_token_every_identity_endpoint_answers_401_problem_json()
    {
        var client = world.Factory.CreateClient();
        foreach (var url in new[] { "/api/v1/tenants", "/api/v1/users", "/api/v1/audit", $"/api/v1/tenants/{IdentityWorld.TenantA}/api-keys", "/api/v1/auth/me" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    private async Task AssertTenantBIntactAsync()
    {
        var admin = world.As("platform-admin");
        var tenant = await admin.GetAsync($"/api/v1/tenants/{IdentityWorld.TenantB}").ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual("taken over", tenant.GetProperty("displayName").GetString());
        var members = await admin.GetAsync($"/api/v1/tenants/{IdentityWorld.TenantB}/members").ExpectAsync(HttpStatusCode.OK);
        var only = Assert.Single(members.EnumerateArray());
        Assert.Equal("admin", only.GetProperty("role").GetString());
        var keys = await admin.GetAsync($"/api/v1/tenants/{IdentityWorld.TenantB}/api-keys").ExpectAsync(HttpStatusCode.OK);
        Assert.Single(keys.EnumerateArray());
        Assert.All(keys.EnumerateArray(), k => Assert.Equal(System.Text.Json.JsonValueKind.Null, k.GetProperty("revokedAt").ValueKind));
        await world.Factory.CreateClient().WithBearer(world.KeyB).GetAsync($"/api/v1/tenants/{IdentityWorld.TenantB}").ExpectAsync(HttpStatusCode.OK);
        await world.Factory.CreateClient().LoginAsync("b-admin", IdentityWorld.Password);
        var instances = await admin.GetAsync($"/api/v1/tenants/{IdentityWorld.TenantB}/instances").ExpectAsync(HttpStatusCode.OK);
        var instance = Assert.Single(instances.GetProperty("items").EnumerateArray());
        Assert.Equal(world.FirstRevisions[IdentityWorld.TenantB], instance.GetProperty("revision").GetString());
    }
}
