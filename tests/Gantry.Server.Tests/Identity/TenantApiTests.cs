using System.Net;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Identity;

public sealed class TenantApiTests : IDisposable
{
    private readonly GantryServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private async Task<HttpClient> AdminAsync() =>
        _factory.CreateClient().WithBearer((await _factory.CreateClient().LoginAsync("admin", "test-admin-password")).GetProperty("access_token").GetString()!);

    [Fact]
    public async Task A_tenant_is_created_read_patched_and_deleted_with_its_quotas()
    {
        var admin = await AdminAsync();
        var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new
        {
            name = "client1",
            displayName = "Client One",
            quotas = new { maxInstances = 3, maxReplicasPerInstance = 5, allowedOfferings = new[] { "qdrant" }, allowedEnvironmentTypes = new[] { "dev", "sue" } },
        }).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(3, created.GetProperty("quotas").GetProperty("maxInstances").GetInt32());

        var patched = await admin.SendJsonAsync(HttpMethod.Patch, "/api/v1/tenants/client1", new { quotas = new { maxInstances = 10 } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Client One", patched.GetProperty("displayName").GetString());
        Assert.Equal(10, patched.GetProperty("quotas").GetProperty("maxInstances").GetInt32());

        var read = await admin.GetAsync("/api/v1/tenants/client1").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(10, read.GetProperty("quotas").GetProperty("maxInstances").GetInt32());

        await admin.DeleteAsync("/api/v1/tenants/client1").ExpectAsync(HttpStatusCode.NoContent);
        await admin.GetAsync("/api/v1/tenants/client1").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_bad_tenant_names_every_bad_field()
    {
        var admin = await AdminAsync();

        var problem = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new
        {
            name = "Not_DNS",
            quotas = new { maxInstances = -1, allowedEnvironmentTypes = new[] { "qa" } },
        }).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["name", "quotas.allowedEnvironmentTypes", "quotas.maxInstances"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_duplicate_tenant_is_a_conflict()
    {
        var admin = await AdminAsync();

        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = "demo" }).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Removing_a_membership_takes_effect_at_once_for_a_live_token()
    {
        var admin = await AdminAsync();
        var user = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = "leaver", password = IdentityWorld.Password }).ExpectAsync(HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/demo/members/{id}", new { role = "operator" }).ExpectAsync(HttpStatusCode.OK);
        var leaver = _factory.CreateClient().WithBearer((await _factory.CreateClient().LoginAsync("leaver", IdentityWorld.Password)).GetProperty("access_token").GetString()!);
        await leaver.GetAsync("/api/v1/tenants/demo").ExpectAsync(HttpStatusCode.OK);

        await admin.DeleteAsync($"/api/v1/tenants/demo/members/{id}").ExpectAsync(HttpStatusCode.NoContent);

        await leaver.GetAsync("/api/v1/tenants/demo").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_demotion_a_promotion_and_a_deleted_tenant_take_effect_at_once_for_a_live_token()
    {
        // Principals may be kept between requests; every one of these changes must still be seen by the next request.
        var admin = await AdminAsync();
        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = "moving" }).ExpectAsync(HttpStatusCode.Created);
        var user = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = "mover", password = IdentityWorld.Password }).ExpectAsync(HttpStatusCode.Created);
        var id = user.GetProperty("id").GetString()!;
        await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/moving/members/{id}", new { role = "admin" }).ExpectAsync(HttpStatusCode.OK);
        var mover = _factory.CreateClient().WithBearer((await _factory.CreateClient().LoginAsync("mover", IdentityWorld.Password)).GetProperty("access_token").GetString()!);
        await mover.GetAsync("/api/v1/tenants/moving/api-keys").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, (await mover.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK)).GetArrayLength());

        await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/moving/members/{id}", new { role = "viewer" }).ExpectAsync(HttpStatusCode.OK);
        await mover.GetAsync("/api/v1/tenants/moving/api-keys").ExpectAsync(HttpStatusCode.Forbidden);

        await admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/users/{id}", new { isPlatformAdmin = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.True((await mover.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK)).GetArrayLength() > 1);
        await admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/users/{id}", new { isPlatformAdmin = false }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, (await mover.GetAsync("/api/v1/users").ExpectAsync(HttpStatusCode.OK)).GetArrayLength());
        await mover.GetAsync("/api/v1/tenants/moving").ExpectAsync(HttpStatusCode.OK);

        await admin.DeleteAsync("/api/v1/tenants/moving").ExpectAsync(HttpStatusCode.NoContent);
        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = "moving" }).ExpectAsync(HttpStatusCode.Created);
        await mover.GetAsync("/api/v1/tenants/moving").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_membership_needs_a_known_role_and_an_existing_user()
    {
        var admin = await AdminAsync();

        var problem = await admin.SendJsonAsync(HttpMethod.Put, "/api/v1/tenants/demo/members/whoever", new { role = "owner" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("viewer, operator, admin", problem.GetProperty("errors").GetProperty("role")[0].GetString(), StringComparison.Ordinal);
        await admin.SendJsonAsync(HttpMethod.Put, "/api/v1/tenants/demo/members/no-such-user", new { role = "viewer" }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Audit_records_who_did_what_to_which_tenant()
    {
        var admin = await AdminAsync();
        await _factory.CreateClient().PasswordGrantAsync("admin", "a wrong password for the audit");
        var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants/demo/api-keys", new { name = "audited", role = "viewer" }).ExpectAsync(HttpStatusCode.Created);
        await admin.DeleteAsync($"/api/v1/tenants/demo/api-keys/{created.GetProperty("apiKey").GetProperty("id").GetString()}").ExpectAsync(HttpStatusCode.NoContent);

        var events = await admin.GetAsync("/api/v1/audit").ExpectAsync(HttpStatusCode.OK);
        var actions = events.EnumerateArray().Select(e => (e.GetProperty("action").GetString(), e.GetProperty("outcome").GetString())).ToList();
        Assert.Contains(("auth.login", "success"), actions);
        Assert.Contains(("auth.login", "failure"), actions);
        Assert.DoesNotContain(actions, a => !a.Item1!.Contains('.', StringComparison.Ordinal));
        Assert.Contains(("api-key.create", "success"), actions);
        Assert.Contains(("api-key.revoke", "success"), actions);
        var keyEvent = events.EnumerateArray().First(e => e.GetProperty("action").GetString() == "api-key.create");
        Assert.Equal("admin", keyEvent.GetProperty("actorName").GetString());
        Assert.Equal("demo", keyEvent.GetProperty("tenant").GetString());

        var demoOnly = await admin.GetAsync("/api/v1/audit?tenant=demo").ExpectAsync(HttpStatusCode.OK);
        Assert.All(demoOnly.EnumerateArray(), e => Assert.Equal("demo", e.GetProperty("tenant").GetString()));
    }
}
