using System.Runtime.CompilerServices;
using Gantry.Core.Caching;
using Gantry.Core.Catalog;
using Gantry.Core.Versions;
using Gantry.Core.Diagnostics;

namespace Gantry.Server.Instances;

// Resolving an instance's chart version against the tags its offering's source has.
public sealed partial class InstanceService
{
    private static readonly BoundedCache<string, VersionConstraint> ParsedConstraints = new(MaxKeptConstraints, StringComparer.Ordinal);

    private static readonly ConditionalWeakTable<IReadOnlyList<string>, BoundedCache<(VersionConstraint, VersionConstraint), string>> ResolvedVersions = [];

    internal async Task<string> ResolveChartVersionAsync(Offering offering, string? requested, CancellationToken cancellationToken)
    {
        using var activity = GantryTracing.Source.StartActivity("gantry.resolve");
        activity?.SetTag(GantryTracing.Tags.Offering, offering.Name);
        var allowed = ParseConstraint(offering.Chart.Version);
        var constraint = requested is null ? allowed : ParseConstraint(requested);
        var tags = offering.Chart.Versions.Count > 0
            ? offering.Chart.Versions
            : await tagSource.ListTagsAsync(
                offering.Chart.IsOci
                    ? TagSourceReference.Oci($"{offering.Chart.Repository}/{offering.Chart.Name}")
                    : TagSourceReference.Helm(offering.Chart.Repository, offering.Chart.Name),
                cancellationToken);

        // Resolving reads every tag; its answer only moves with the list, which is a new object whenever it is listed
        // again (the registry cache expired) or the catalog reloads, so answers are kept per list. Failures are not.
        var known = ResolvedVersions.GetValue(tags, _ => new BoundedCache<(VersionConstraint, VersionConstraint), string>(MaxKeptConstraints));
        if (known.TryGetValue((allowed, constraint), out var tag))
        {
            return tag;
        }

        // A tenant may narrow the platform's constraint, never widen it.
        return known.Set((allowed, constraint), VersionResolver.Resolve(constraint, tags.Where(t => allowed.Matches(t))).GetTagOrThrow());
    }

    /// <summary>Parsed constraints, kept by their text (a malformed one throws and is not kept).</summary>
    private static VersionConstraint ParseConstraint(string text) =>
        ParsedConstraints.TryGetValue(text, out var parsed) ? parsed : ParsedConstraints.Set(text, VersionConstraint.Parse(text));
}
