using NuGet.Versioning;

namespace Gantry.Core.Versions;

/// <summary>
/// The outcome of resolving a constraint: the chosen tag in its original spelling, or, when nothing matched,
/// the constraint and every tag seen so that the caller can say exactly why (a 422 naming both).
/// </summary>
public sealed record VersionResolution
{
    public required string Constraint { get; init; }

    /// <summary>The chosen tag as the source spells it; null when nothing matched.</summary>
    public string? Tag { get; init; }

    /// <summary>The chosen tag read as a version; null when nothing matched or the constraint is a literal tag.</summary>
    public NuGetVersion? Version { get; init; }

    /// <summary>Every tag the source listed, in its order.</summary>
    public required IReadOnlyList<string> TagsSeen { get; init; }

    public bool IsResolved => Tag is not null;

    /// <summary>The chosen tag; throws <see cref="VersionNotResolvedException"/> when nothing matched.</summary>
    public string GetTagOrThrow() => Tag ?? throw new VersionNotResolvedException(this);

    /// <summary>A sentence for people: what matched, or what was asked for and what was there.</summary>
    public string Describe()
    {
        if (IsResolved)
        {
            return $"'{Constraint}' resolved to '{Tag}'";
        }

        if (TagsSeen.Count == 0)
        {
            return $"no tag matches '{Constraint}': the source lists no tags";
        }

        const int shown = 30;
        var listed = string.Join(", ", TagsSeen.Take(shown));
        var more = TagsSeen.Count > shown ? $" and {TagsSeen.Count - shown} more" : string.Empty;
        return $"no tag matches '{Constraint}'; tags seen: {listed}{more}";
    }
}

/// <summary>A constraint matched none of the tags its source listed.</summary>
public sealed class VersionNotResolvedException(VersionResolution resolution) : Exception(resolution.Describe())
{
    public string Constraint { get; } = resolution.Constraint;

    public IReadOnlyList<string> TagsSeen { get; } = resolution.TagsSeen;

    /// <summary>The service (of an environment) whose constraint this was; null for an offering's chart.</summary>
    public string? Service { get; init; }
}
