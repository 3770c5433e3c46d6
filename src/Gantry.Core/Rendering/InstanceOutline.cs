using Gantry.Core.Catalog;

namespace Gantry.Core.Rendering;

/// <summary>
/// What a tenant's shared files read of one instance: its name, namespace, offering and whether it has sealed values
/// (the kustomizations list instances and their secrets, the namespaces and the project their namespaces, the sources
/// their offerings). Nothing else of the claim can change a shared file, which is what lets a change be rendered from
/// the one instance it touches and every other instance be kept as this much (a few hundred bytes) in memory.
/// </summary>
public sealed record InstanceOutline(string Tenant, string Name, string Namespace, Offering Offering, bool HasSealedValues)
{
    /// <summary>The outline of an instance whose sealed values are named <paramref name="sealedNames"/>.</summary>
    public static InstanceOutline Of(string tenant, string name, string @namespace, Offering offering, IEnumerable<string> sealedNames)
    {
        ArgumentNullException.ThrowIfNull(offering);
        var names = sealedNames as IReadOnlyCollection<string> ?? sealedNames.ToList();
        return new(tenant, name, @namespace, offering, offering.Secrets.Any(s => names.Contains(s.Name)));
    }

    /// <summary>Whether the two agree in all a tenant's shared files and the set of an instance's own files depend on.</summary>
    /// <remarks>The same offering object: a reloaded catalog makes new ones, whose sources may differ.</remarks>
    public bool SameAs(InstanceOutline other) =>
        other is not null && Tenant == other.Tenant && Name == other.Name && Namespace == other.Namespace
        && ReferenceEquals(Offering, other.Offering) && HasSealedValues == other.HasSealedValues;
}
