using Gantry.Core.Rendering;
using Gantry.Core.State;
using Gantry.Core.Validation;

namespace Gantry.Server.Instances;

/// <summary>
/// Reads the revision a caller names, like Git: the full 40 hexadecimal characters, or an unambiguous prefix of 7 or
/// more, as history and <c>git log --oneline</c> show them.
/// </summary>
/// <remarks>
/// The state store resolves only full revisions (a libgit2 short-id lookup would search every object of the
/// repository, other tenants' commits included, and call a prefix ambiguous because of them). A prefix is resolved
/// among the instance's own changes instead, the newest <see cref="MaxChangesSearched"/> of them, so the answer never
/// depends on another tenant's commits and the walk is bounded.
/// </remarks>
public static class InstanceRevisions
{
    public const int MinPrefixLength = 7;

    public const int MaxChangesSearched = 1000;

    private const int PageSize = 200;

    /// <summary>
    /// The full revision <paramref name="given"/> names, or null after adding to <paramref name="errors"/> under
    /// <paramref name="field"/> why it names none: missing, not hexadecimal, no change of the instance, or several.
    /// </summary>
    public static async Task<string?> ResolveAsync(
        IStateStore state, string tenant, string name, string field, string? given, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(given))
        {
            errors.Add(field, "is required: a revision from the instance's history (at least 7 of its characters)");
            return null;
        }

        var prefix = given.ToLowerInvariant();
        if (prefix.Length is < MinPrefixLength or > StateRevision.Length || !prefix.All(char.IsAsciiHexDigitLower))
        {
            errors.Add(field, $"must be a revision: 7 to 40 hexadecimal characters, as history shows them (got {given.Length} characters)");
            return null;
        }

        if (prefix.Length == StateRevision.Length)
        {
            // A full revision may name any commit of the repository (the store refuses one it does not have).
            return prefix;
        }

        var matches = new List<string>(2);
        string? cursor = null;
        for (var searched = 0; searched < MaxChangesSearched;)
        {
            var page = await state.GetHistoryAsync(GitOpsLayout.InstanceClaim(tenant, name), Math.Min(PageSize, MaxChangesSearched - searched), cursor, cancellationToken);
            matches.AddRange(Matching(prefix, page.Commits.Select(c => c.Revision)));
            searched += page.Commits.Count;
            if (matches.Count > 1 || page.NextCursor is null || page.Commits.Count == 0)
            {
                break;
            }

            cursor = page.NextCursor;
        }

        switch (matches.Count)
        {
            case 1:
                return matches[0];
            case 0:
                errors.Add(field, $"'{given}' is not the start of any of this instance's last {MaxChangesSearched} changes; check the history, or give the full 40-character revision");
                return null;
            default:
                errors.Add(field, $"'{given}' is ambiguous: it starts {matches.Count} of this instance's changes ({string.Join(", ", matches.Select(m => m[..12]))}); give more characters");
                return null;
        }
    }

    /// <summary>The revisions that start with <paramref name="prefix"/> (lower-case hexadecimal), each once.</summary>
    internal static IEnumerable<string> Matching(string prefix, IEnumerable<string> revisions) =>
        revisions.Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal);
}
