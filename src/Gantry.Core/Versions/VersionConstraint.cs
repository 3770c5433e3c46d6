using System.Diagnostics.CodeAnalysis;
using Gantry.Core.Validation;
using NuGet.Versioning;

namespace Gantry.Core.Versions;

/// <summary>
/// A version constraint as tenants and catalogs write it, in npm semver's range grammar extended to four-part versions:
/// exact tags (<c>v1.2.3</c>, <c>1.2.3.4</c>), caret (<c>^1.0.0</c>, <c>^0.2.3</c>, <c>^1.0.0.0</c>), tilde (<c>~1.2</c>),
/// wildcards (<c>1.x</c>, <c>1.2.x</c>, <c>1.x.x.x</c>), <c>*</c> and <c>latest</c>, comparisons
/// (<c>&gt;=1.2.0 &lt;2.0.0</c>, <c>&gt;1.0</c>, <c>&lt;=2</c>), hyphen ranges (<c>1.2 - 1.4</c>), with a space meaning AND
/// and <c>||</c> meaning OR. Any other single word (<c>main</c>, <c>sha-abc</c>) is a literal tag that matches only itself.
/// See docs/versions.md.
/// </summary>
public sealed partial class VersionConstraint
{
    private readonly IReadOnlyList<ComparatorSet> _sets;

    private VersionConstraint(string text, IReadOnlyList<ComparatorSet> sets, string? literalTag, NuGetVersion? exact, bool isLatest)
    {
        Text = text;
        _sets = sets;
        LiteralTag = literalTag;
        ExactVersion = exact;
        IsLatest = isLatest;
    }

    /// <summary>The constraint as written (trimmed).</summary>
    public string Text { get; }

    /// <summary>Set when the constraint is a tag that is not a version: it matches only a tag spelled exactly so.</summary>
    public string? LiteralTag { get; }

    /// <summary>Set when the constraint names one exact version (<c>v1.2.3</c>, <c>1.2.3-rc.1</c>).</summary>
    public NuGetVersion? ExactVersion { get; }

    /// <summary>The constraint is <c>latest</c>: the highest stable version, or the tag <c>latest</c> when no tag is a version.</summary>
    public bool IsLatest { get; }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the problem.</summary>
    public static VersionConstraint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var constraint, out var error)
            ? constraint
            : throw new FormatException($"Version constraint '{text}' is not valid: {error}");
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out VersionConstraint? constraint, [NotNullWhen(false)] out string? error)
    {
        constraint = null;
        error = null;
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            error = "it is empty";
            return false;
        }

        if (trimmed.Length > MaxLength)
        {
            error = $"it is longer than {MaxLength} characters";
            return false;
        }

        if (string.Equals(trimmed, "latest", StringComparison.OrdinalIgnoreCase))
        {
            constraint = new VersionConstraint(trimmed, [new ComparatorSet([])], null, null, isLatest: true);
            return true;
        }

        var sets = new List<ComparatorSet>();
        foreach (var group in trimmed.Split("||"))
        {
            if (!TryParseSet(group, out var set, out error))
            {
                if (IsLiteralTag(trimmed))
                {
                    constraint = new VersionConstraint(trimmed, [], trimmed, null, isLatest: false);
                    error = null;
                    return true;
                }

                return false;
            }

            sets.Add(set);
        }

        var exact = sets is [{ Comparators: [{ Operator: ComparatorOperator.Equal, Written: true } only] }] ? only.Version : null;
        constraint = new VersionConstraint(trimmed, sets, null, exact, isLatest: false);
        return true;
    }

    /// <summary>Adds a message naming <paramref name="field"/> when <paramref name="text"/> is not a valid constraint.</summary>
    public static void Validate(string? text, string field, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!TryParse(text, out _, out var error))
        {
            errors.Add(field, $"is not a valid version constraint: {error}");
        }
    }

    /// <summary>Whether the tag (in its original spelling) satisfies the constraint.</summary>
    public bool Matches(string tag, VersionResolveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (LiteralTag is not null)
        {
            return string.Equals(tag, LiteralTag, StringComparison.Ordinal);
        }

        return TagVersion.TryParse(tag, out var version) && Matches(version.Version, options);
    }

    /// <summary>Whether the version satisfies the constraint. A literal-tag constraint matches no version.</summary>
    public bool Matches(NuGetVersion version, VersionResolveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        var allowPrerelease = (options ?? VersionResolveOptions.Default).AllowPrerelease;
        foreach (var set in _sets)
        {
            if (set.IsSatisfiedBy(version, allowPrerelease))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Text;

    private const int MaxLength = 256;
}
