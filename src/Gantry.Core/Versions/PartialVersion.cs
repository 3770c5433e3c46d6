using System.Diagnostics.CodeAnalysis;
using NuGet.Versioning;

namespace Gantry.Core.Versions;

/// <summary>
/// A version as a constraint spells it: one to four parts, trailing parts may be wildcards
/// (<c>x</c>, <c>X</c>, <c>*</c>), an optional <c>v</c> prefix, prerelease label and build metadata
/// (only on fully numeric versions).
/// </summary>
internal sealed record PartialVersion(int[] Numbers, int PartCount, string? Release, string? Metadata)
{
    /// <summary>Every written part is a number and there are at least three: an exact version.</summary>
    public bool IsFull => Numbers.Length == PartCount && PartCount >= 3;

    public bool IsAny => Numbers.Length == 0;

    public static bool TryParse(string text, [NotNullWhen(true)] out PartialVersion? version)
    {
        version = null;
        var span = text.AsSpan();
        if (span is ['v' or 'V', .. var rest])
        {
            span = rest;
        }

        string? metadata = null;
        var plus = span.IndexOfAny('+', '_');
        if (plus >= 0)
        {
            metadata = span[(plus + 1)..].ToString();
            span = span[..plus];
        }

        string? release = null;
        var dash = span.IndexOf('-');
        if (dash >= 0)
        {
            release = span[(dash + 1)..].ToString();
            span = span[..dash];
        }

        var numbers = new List<int>(4);
        var parts = 0;
        var wildcard = false;
        foreach (var range in span.Split('.'))
        {
            var part = span[range];
            parts++;
            if (part is "x" or "X" or "*")
            {
                wildcard = true;
                continue;
            }

            // A number after a wildcard (1.x.3) has no meaning.
            if (wildcard || part.IsEmpty || !part.ContainsOnlyAsciiDigits() || !int.TryParse(part, out var number))
            {
                return false;
            }

            numbers.Add(number);
        }

        if (parts is < 1 or > 4)
        {
            return false;
        }

        if ((release is not null || metadata is not null) && (wildcard || parts < 3))
        {
            return false;
        }

        if (release is not null && !IsValidLabel(release) || metadata is not null && !IsValidLabel(metadata))
        {
            return false;
        }

        version = new PartialVersion([.. numbers], parts, release, metadata);
        return true;
    }

    /// <summary>The written numbers padded with zeros, with the written prerelease label and metadata.</summary>
    public NuGetVersion Floor() => Build(Numbers, Release, Metadata);

    /// <summary>The written numbers padded with zeros and the lowest prerelease label: below every release of it.</summary>
    public NuGetVersion FloorBelowPrereleases() => Build(Numbers, LowestLabel, null);

    /// <summary>
    /// The lowest version above everything that shares the numbers up to <paramref name="index"/>:
    /// bump that part, zero the rest, and take the lowest prerelease so that <c>2.0.0-rc</c> is not under <c>^1.0.0</c>.
    /// </summary>
    public NuGetVersion Ceiling(int index)
    {
        var bumped = Numbers[..(index + 1)];
        bumped[index]++;
        return Build(bumped, LowestLabel, null);
    }

    // npm semver writes exclusive upper bounds as X.Y.Z-0: "0" is the lowest prerelease identifier.
    private const string LowestLabel = "0";

    private static NuGetVersion Build(int[] numbers, string? release, string? metadata)
    {
        int At(int i) => i < numbers.Length ? numbers[i] : 0;
        return new NuGetVersion(At(0), At(1), At(2), At(3), release ?? string.Empty, metadata ?? string.Empty);
    }

    private static bool IsValidLabel(string label) =>
        label.Length > 0 && label.Split('.').All(id => id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
}
