using System.Text.Json.Serialization;
using Gantry.Core.Versions;

namespace Gantry.Core.Catalog;

/// <summary>How far one change may move an instance's chart version (<c>upgradePolicy.maxStep</c>).</summary>
public enum UpgradeStep
{
    /// <summary>Any version the constraints allow.</summary>
    [JsonStringEnumMemberName("any")]
    Any,

    /// <summary>At most one minor version up within a major (Qdrant: 1.12 → 1.13, never 1.12 → 1.14).</summary>
    [JsonStringEnumMemberName("minor")]
    Minor,

    /// <summary>At most one major version up.</summary>
    [JsonStringEnumMemberName("major")]
    Major,
}

/// <summary>
/// An offering's rules for moving an instance from one chart version to another, enforced on single changes and
/// rollouts alike. Without an <c>upgradePolicy</c> in the offering file any move the constraints allow is taken.
/// </summary>
public sealed record UpgradePolicy
{
    public static readonly UpgradePolicy None = new() { AllowDowngrade = true, MaxStep = UpgradeStep.Any };

    /// <summary>Whether a lower chart version may be asked for without <c>force</c> (which only a platform admin may give).</summary>
    public bool AllowDowngrade { get; init; }

    public UpgradeStep MaxStep { get; init; } = UpgradeStep.Any;

    /// <summary>
    /// Why moving from <paramref name="from"/> to <paramref name="to"/> is refused, or null when it is allowed.
    /// <paramref name="force"/> lifts the downgrade rule only (the caller checks who may force); the step rule is never
    /// forced: a skipped minor version is a data migration that never ran.
    /// </summary>
    public string? Refusal(string from, string to, bool force)
    {
        if (!TagVersion.TryParse(from, out var old) || !TagVersion.TryParse(to, out var next) || old.Version == next.Version)
        {
            return null;
        }

        if (next.Version < old.Version)
        {
            return AllowDowngrade || force
                ? null
                : $"{to} is lower than the current {from}: this offering does not downgrade (a platform admin may force it)";
        }

        var (a, b) = (old.Version.Major, old.Version.Minor);
        var (x, y) = (next.Version.Major, next.Version.Minor);
        return MaxStep switch
        {
            UpgradeStep.Minor when x == a && y > b + 1 =>
                $"{from} to {to} skips a minor version: this offering upgrades one minor version at a time, so upgrade through {a}.{b + 1} first",
            UpgradeStep.Minor when x > a && !(x == a + 1 && y == 0) =>
                $"{from} to {to} skips versions: this offering upgrades one minor version at a time, so upgrade through {(x == a + 1 ? $"{x}.0" : $"{a + 1}.0")} first",
            UpgradeStep.Major when x > a + 1 =>
                $"{from} to {to} skips a major version: upgrade through {a + 1}.x first",
            _ => null,
        };
    }
}
