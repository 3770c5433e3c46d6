namespace Gantry.Client;

// Tenants and their members: /api/v1/tenants (platform administrators create, change and delete; tenant admins set roles).
public sealed partial class GantryClient
{
    private const string Tenants = "api/v1/tenants";

    public async Task<Tenant> CreateTenantAsync(TenantRequest tenant, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Post, Tenants, tenant), RequestTimeout, cancellationToken);
        return await ReadAsync<Tenant>(response, cancellationToken);
    }

    /// <summary>The tenants the caller may see.</summary>
    public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<Tenant>>(Tenants, cancellationToken);

    public Task<Tenant> GetTenantAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<Tenant>(TenantPath(name), cancellationToken);

    public async Task<Tenant> UpdateTenantAsync(string name, TenantPatch patch, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Patch, TenantPath(name), patch), RequestTimeout, cancellationToken);
        return await ReadAsync<Tenant>(response, cancellationToken);
    }

    /// <summary>Deletes a tenant with its memberships and API keys.</summary>
    public async Task DeleteTenantAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, TenantPath(name)), RequestTimeout, cancellationToken);
    }

    public Task<IReadOnlyList<Member>> ListMembersAsync(string tenant, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<Member>>($"{TenantPath(tenant)}/members", cancellationToken);

    /// <summary>Adds the user (by id) to the tenant with <paramref name="role"/>, or changes their role.</summary>
    public async Task<Member> SetMemberAsync(string tenant, string userId, string role, CancellationToken cancellationToken = default)
    {
        var body = new Dictionary<string, string> { ["role"] = role };
        using var response = await SendAsync(JsonRequest(HttpMethod.Put, $"{TenantPath(tenant)}/members/{Segment(userId)}", body), RequestTimeout, cancellationToken);
        return await ReadAsync<Member>(response, cancellationToken);
    }

    public async Task RemoveMemberAsync(string tenant, string userId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{TenantPath(tenant)}/members/{Segment(userId)}"), RequestTimeout, cancellationToken);
    }

    /// <summary>Creates an API key of the tenant; the answer holds its secret, shown this once.</summary>
    public async Task<CreatedApiKey> CreateApiKeyAsync(string tenant, ApiKeyRequest key, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Post, $"{TenantPath(tenant)}/api-keys", key), RequestTimeout, cancellationToken);
        return await ReadAsync<CreatedApiKey>(response, cancellationToken);
    }

    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(string tenant, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ApiKey>>($"{TenantPath(tenant)}/api-keys", cancellationToken);

    /// <summary>Revokes an API key; it stops working at once.</summary>
    public async Task RevokeApiKeyAsync(string tenant, string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{TenantPath(tenant)}/api-keys/{Segment(id)}"), RequestTimeout, cancellationToken);
    }

    private static string TenantPath(string name) => $"{Tenants}/{Segment(name)}";
}
