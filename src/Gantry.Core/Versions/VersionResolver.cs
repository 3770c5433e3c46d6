using NuGet.Versioning;

namespace Gantry.Core.Versions;

/// <summary>Picks the highest tag that satisfies a constraint. Pure: the tags come from an <see cref="ITagSource"/>.</summary>
public static class VersionResolver
{
    /// <summary>Parses <paramref name="constraint"/> (throwing <see cref="FormatException"/> when invalid) and resolves it.</summary>
    public static VersionResolution Resolve(string constraint, IEnumerable<string> tags, VersionResolveOptions? options = null) =>
        Resolve(VersionConstraint.Parse(constraint), tags, options);

    /// <summary>
    /// The highest matching tag, in its original spelling. Tags that are not versions are ignored unless the
    /// constraint is exactly that tag. When two tags stand for the same version (<c>v1.2.3</c> and <c>1.2.3</c>),
    /// the one spelled like the constraint wins, then the ordinal-first.
    /// </summary>
    public static VersionResolution Resolve(VersionConstraint constraint, IEnumerable<string> tags, VersionResolveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(constraint);
        ArgumentNullException.ThrowIfNull(tags);
        var seen = tags.Where(t => !string.IsNullOrEmpty(t)).ToArray();
        var resolution = new VersionResolution { Constraint = constraint.Text, TagsSeen = seen };

        if (constraint.LiteralTag is { } literal)
        {
            return seen.Contains(literal, StringComparer.Ordinal) ? resolution with { Tag = literal } : resolution;
        }

        TagVersion? best = null;
        foreach (var tag in seen)
        {
            if (TagVersion.TryParse(tag, out var candidate)
                && constraint.Matches(candidate.Version, options)
                && (best is null || IsBetter(candidate, best, constraint.Text)))
            {
                best = candidate;
            }
        }

        if (best is not null)
        {
            return resolution with { Tag = best.Tag, Version = best.Version };
        }

        // A registry with no version tags at all may still publish a moving 'latest' tag.
        if (constraint.IsLatest && seen.FirstOrDefault(t => t == "latest") is { } latest)
        {
            return resolution with { Tag = latest };
        }

        return resolution;
    }

    private static bool IsBetter(TagVersion candidate, TagVersion best, string constraintText)
    {
        var order = VersionComparer.VersionRelease.Compare(candidate.Version, best.Version);
        if (order != 0)
        {
            return order > 0;
        }

        var candidateSpelled = candidate.Tag == constraintText;
        var bestSpelled = best.Tag == constraintText;
        if (candidateSpelled != bestSpelled)
        {
            return candidateSpelled;
        }

        return string.CompareOrdinal(candidate.Tag, best.Tag) < 0;
    }
}
