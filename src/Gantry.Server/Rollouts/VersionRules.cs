using Gantry.Core.Catalog;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Data.Instances;

namespace Gantry.Server.Rollouts;

/// <summary>
/// The rules a chart version move must keep, for single changes and rollouts alike: the offering's upgrade policy
/// (no downgrade unless a platform admin forces it; the largest step) and the instance's pin.
/// </summary>
public sealed class VersionRules(PinService pins)
{
    /// <summary>
    /// Adds to <paramref name="errors"/> why moving the instance from <paramref name="from"/> to <paramref name="to"/>
    /// is refused. A new instance (<paramref name="from"/> null) or an unchanged version moves nothing.
    /// </summary>
    public async Task CheckAsync(
        Principal principal, string tenant, string name, Offering offering, string? from, string to, bool force,
        ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (force && !principal.IsPlatformAdmin)
        {
            errors.Add("force", "only a platform administrator may force a downgrade");
        }

        if (from is null || from == to)
        {
            return;
        }

        if (Refusal(offering, await pins.FindActiveAsync(tenant, name, cancellationToken), from, to, force && principal.IsPlatformAdmin) is { } refusal)
        {
            errors.Add("version", refusal);
        }
    }

    /// <summary>Why the move is refused, or null; pure, so a rollout's preview checks thousands of instances without I/O.</summary>
    public static string? Refusal(Offering offering, PinRecord? pin, string from, string to, bool force)
    {
        if (from == to)
        {
            return null;
        }

        if (pin is not null && !(VersionConstraint.TryParse(pin.Version, out var held, out _) && held.Matches(to)))
        {
            return $"the instance is pinned to {pin.Version} by {pin.PinnedBy} ({pin.Reason}){(pin.ExpiresAt is { } until ? $" until {until:yyyy-MM-dd'T'HH:mm:ss'Z'}" : string.Empty)}: clear the pin to move it to {to}";
        }

        return offering.UpgradePolicy.Refusal(from, to, force);
    }
}
