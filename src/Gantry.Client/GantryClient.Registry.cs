namespace Gantry.Client;

public sealed partial class GantryClient
{
    /// <summary>The configured registry and the caller's own <c>-local</c> namespace in it.</summary>
    public Task<RegistryInfo> GetRegistryAsync(CancellationToken cancellationToken = default) =>
        GetAsync<RegistryInfo>("api/v1/registry", cancellationToken);

    /// <summary>A registry token for <paramref name="scope"/> (<c>repository:alice-local/app:push,pull</c>), as the registry's challenge asks.</summary>
    public Task<RegistryToken> GetRegistryTokenAsync(string? service, string scope, CancellationToken cancellationToken = default) =>
        GetAsync<RegistryToken>("api/v1/registry/token" + Query(("service", service), ("scope", scope)), cancellationToken);
}
