using System.Security.Cryptography;
using System.Text;
using Gantry.Core.Caching;

namespace Gantry.Core.State;

/// <summary>
/// Where tenant folders live in the repository. A flat <c>tenants/&lt;tenant&gt;/</c> folder makes every commit
/// rewrite one tree with an entry per tenant (4 MB at 100,000 tenants); fanning out over three levels of
/// one hexadecimal digit of a hash keeps every tree on a changed path small (see docs/git-engine.md).
/// </summary>
public static class StateLayout
{
    public const string TenantsFolder = "tenants";

    // Every path of a tenant starts here and a change renders dozens of them: hashing each time was 13 % of the
    // server's CPU per instance change. Bounded: past the limit the cache starts over (a miss costs one hash).
    private static readonly BoundedCache<string, string> Folders = new(100_000, StringComparer.Ordinal);

    /// <summary>The folder of <paramref name="tenant"/>, e.g. <c>tenants/3/a/f/acme</c>.</summary>
    public static string TenantFolder(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        return Folders.TryGetValue(tenant, out var cached) ? cached : Folders.Set(tenant, Compute(tenant));
    }

    private static string Compute(string tenant)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(tenant), hash);
        const string hex = "0123456789abcdef";
        return $"{TenantsFolder}/{hex[hash[0] >> 4]}/{hex[hash[0] & 0xF]}/{hex[hash[1] >> 4]}/{tenant}";
    }
}
