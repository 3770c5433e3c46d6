using System.Net;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Identity;

public sealed class ApiKeyTests : IDisposable
{
    private readonly GantryServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private async Task<HttpClient> AdminAsync() =>
        _factory.CreateClient().WithBearer((await _factory.CreateClient().LoginAsync("admin", "test-admin-password")).GetProperty("access_token").GetString()!);

    [Fact]
    public async Task A_key_is_shown_once_works_and_stops_working_at_once_when_revoked()
    {
        var admin = await AdminAsync();
        var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants/demo/api-keys", new { name = "pipeline", role = "viewer" }).ExpectAsync(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("apiKey").GetProperty("id").GetString()!;
        Assert.StartsWith("gantry_ak_", key, StringComparison.Ordinal);
        Assert.True(key.Length > 40);

        var list = await admin.GetAsync("/api/v1/tenants/demo/api-keys");
        var listed = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\"", listed, StringComparison.Ordinal);
        Assert.Contains(key[..14], listed, StringComparison.Ordinal);

        var automation = _factory.CreateClient().WithBearer(key);
        var me = await automation.GetAsync("/api/v1/auth/me").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ApiKey", me.GetProperty("kind").GetString());
        await automation.GetAsync("/api/v1/tenants/demo").ExpectAsync(HttpStatusCode.OK);

        // A viewer key sees but cannot manage.
        await automation.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants/demo/api-keys", new { name = "more", role = "admin" }).ExpectAsync(HttpStatusCode.Forbidden);

        await admin.DeleteAsync($"/api/v1/tenants/demo/api-keys/{id}").ExpectAsync(HttpStatusCode.NoContent);

        var refused = await automation.GetAsync("/api/v1/tenants/demo");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Bearer", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_key_does_not_work()
    {
        var admin = await AdminAsync();
        var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants/demo/api-keys",
            new { name = "brief", role = "viewer", expiresAt = DateTimeOffset.UtcNow.AddSeconds(2) }).ExpectAsync(HttpStatusCode.Created);
        var automation = _factory.CreateClient().WithBearer(created.GetProperty("key").GetString()!);
        await automation.GetAsync("/api/v1/tenants/demo").ExpectAsync(HttpStatusCode.OK);

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        await automation.GetAsync("/api/v1/tenants/demo").ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Bad_key_requests_name_every_bad_field()
    {
        var admin = await AdminAsync();

        var problem = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants/demo/api-keys",
            new { name = "", role = "owner", expiresAt = DateTimeOffset.UtcNow.AddDays(-1) }).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["expiresAt", "name", "role"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}
