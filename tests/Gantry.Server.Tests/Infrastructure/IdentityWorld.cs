using System.Net;
using System.Text.Json;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// Two tenants with members of every role and an API key each, created through the API as a platform
/// administrator would: <c>tenant-a</c> (viewer, operator, admin, key) and <c>tenant-b</c> (admin, key).
/// </summary>
public sealed class IdentityWorld : IAsyncLifetime
{
    public const string Password = "a long enough test password";
    public const string TenantA = "tenant-a";
    public const string TenantB = "tenant-b";

    public GantryServerFactory Factory { get; } = new();

    public Dictionary<string, string> Tokens { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> UserIds { get; } = new(StringComparer.Ordinal);

    public string KeyA { get; private set; } = string.Empty;

    public string KeyB { get; private set; } = string.Empty;

    public string KeyBId { get; private set; } = string.Empty;

    public HttpClient As(string who) => Factory.CreateClient().WithBearer(Tokens[who]);

    public async Task InitializeAsync()
    {
        var anonymous = Factory.CreateClient();
        var admin = (await anonymous.LoginAsync("admin", "test-admin-password")).GetProperty("access_token").GetString()!;
        Tokens["platform-admin"] = admin;
        var client = Factory.CreateClient().WithBearer(admin);

        foreach (var tenant in new[] { TenantA, TenantB })
        {
            await client.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = tenant, quotas = new { maxInstances = 5 } }).ExpectAsync(HttpStatusCode.Created);
        }

        foreach (var (user, tenant, role) in new[]
        {
            ("a-viewer", TenantA, "viewer"), ("a-operator", TenantA, "operator"), ("a-admin", TenantA, "admin"), ("b-admin", TenantB, "admin"),
        })
        {
            var created = await client.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password }).ExpectAsync(HttpStatusCode.Created);
            var id = created.GetProperty("id").GetString()!;
            UserIds[user] = id;
            await client.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/members/{id}", new { role }).ExpectAsync(HttpStatusCode.OK);
            Tokens[user] = (await anonymous.LoginAsync(user, Password)).GetProperty("access_token").GetString()!;
        }

        KeyA = (await CreateKeyAsync(client, TenantA)).GetProperty("key").GetString()!;
        var keyB = await CreateKeyAsync(client, TenantB);
        KeyB = keyB.GetProperty("key").GetString()!;
        KeyBId = keyB.GetProperty("apiKey").GetProperty("id").GetString()!;
        Tokens["a-key"] = KeyA;

        // One instance in each tenant, so instance endpoints have something to guard.
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            var instance = await client.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/instances/{InstanceName}",
                new { offering = "qdrant", values = new { replicaCount = 1 } }).ExpectAsync(HttpStatusCode.Created);
            FirstRevisions[tenant] = instance.GetProperty("revision").GetString()!;
        }
    }

    public const string InstanceName = "db";

    /// <summary>The revision that created <see cref="InstanceName"/> in each tenant.</summary>
    public Dictionary<string, string> FirstRevisions { get; } = new(StringComparer.Ordinal);

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }

    private static Task<JsonElement> CreateKeyAsync(HttpClient client, string tenant) =>
        client.SendJsonAsync(HttpMethod.Post, $"/api/v1/tenants/{tenant}/api-keys", new { name = "ci", role = "admin" }).ExpectAsync(HttpStatusCode.Created);
}
