using NuGet.Versioning;

namespace Gantry.Core.Versions;

internal enum ComparatorOperator
{
    Equal,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

/// <summary>
/// One primitive comparison. <paramref name="Written"/> says the version was written by the user (not a bound
/// derived from <c>^</c>, <c>~</c> or a wildcard), which is what lets a prerelease of that same version match.
/// </summary>
internal sealed record Comparator(ComparatorOperator Operator, NuGetVersion Version, bool Written)
{
    public bool IsSatisfiedBy(NuGetVersion candidate)
    {
        // Build metadata takes part only when the constraint spells it (semver.org §10: it has no precedence).
        var comparer = Operator == ComparatorOperator.Equal && Version.HasMetadata
            ? VersionComparer.VersionReleaseMetadata
            : VersionComparer.VersionRelease;
        var order = comparer.Compare(candidate, Version);
        return Operator switch
        {
            ComparatorOperator.Equal => order == 0,
            ComparatorOperator.Greater => order > 0,
            ComparatorOperator.GreaterOrEqual => order >= 0,
            ComparatorOperator.Less => order < 0,
            ComparatorOperator.LessOrEqual => order <= 0,
            _ => false,
        };
    }

    /// <summary>npm semver's rule: a prerelease matches only a set that names a prerelease of the same numbers.</summary>
    public bool AdmitsPrereleaseOf(NuGetVersion candidate) =>
        Written && Version.IsPrerelease && VersionComparer.Version.Equals(Version, candidate);
}

/// <summary>Comparators that must all hold (written with spaces between them).</summary>
internal sealed record ComparatorSet(IReadOnlyList<Comparator> Comparators)
{
    public bool IsSatisfiedBy(NuGetVersion candidate, bool allowPrerelease)
    {
        foreach (var comparator in Comparators)
        {
            if (!comparator.IsSatisfiedBy(candidate))
            {
                return false;
            }
        }

        return !candidate.IsPrerelease || allowPrerelease || Comparators.Any(c => c.AdmitsPrereleaseOf(candidate));
    }
}
