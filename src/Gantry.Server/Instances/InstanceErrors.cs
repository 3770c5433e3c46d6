namespace Gantry.Server.Instances;

/// <summary>The instance does not exist (or the tenant does not): answered 404.</summary>
public sealed class InstanceNotFoundException(string tenant, string name)
    : Exception($"Instance {tenant}/{name} does not exist.");

/// <summary>An <c>If-Match</c> did not match the current revision: answered 412 with the current ETag.</summary>
public sealed class PreconditionFailedException(string? currentRevision)
    : Exception("The instance has changed since the revision given in If-Match.")
{
    public string? CurrentRevision { get; } = currentRevision;
}

/// <summary>
/// A create with <c>If-None-Match: *</c> found an instance of that name: answered 412, nothing written, so two people
/// creating the same name cannot overwrite each other.
/// </summary>
public sealed class InstanceExistsException(string tenant, string name)
    : Exception($"Instance {tenant}/{name} exists already; If-None-Match: * creates only. Choose another name, or edit that instance.");

/// <summary>
/// An instance of the tenant uses an offering the catalog no longer has, so the tenant's tree cannot be rendered:
/// answered 409 until the offering is restored (nothing is written).
/// </summary>
public sealed class OfferingMissingException(string tenant, string name, string offering)
    : Exception($"Instance {tenant}/{name} uses offering '{offering}', which is no longer in the catalog; restore it before changing this tenant.");

/// <summary>ETags are the Git revision of the last change, quoted as RFC 9110 asks.</summary>
public static class ETags
{
    public static string From(string revision) => $"\"{revision}\"";

    /// <summary>True when any entity tag in an <c>If-Match</c> header names <paramref name="revision"/>.</summary>
    public static bool Matches(string ifMatch, string revision) =>
        ifMatch.Split(',').Select(t => t.Trim().TrimStart('W', '/').Trim('"')).Any(t => string.Equals(t, revision, StringComparison.Ordinal));
}

/// <summary>
/// The instance has secrets to seal, but the tenant has no usable sealing certificate (none uploaded in
/// controller-cert custody, or it expired): answered 409 until the tenant sets one; nothing is written.
/// </summary>
public sealed class SealingKeyMissingException(string tenant, string? reason = null)
    : Exception($"Tenant '{tenant}' has no usable sealing certificate{(reason is null ? string.Empty : $" ({reason})")}; upload one with PUT /api/v1/tenants/{tenant}/sealing-key/controller-cert before giving an instance secrets.");
