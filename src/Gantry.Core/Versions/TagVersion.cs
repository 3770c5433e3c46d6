using System.Diagnostics.CodeAnalysis;
using NuGet.Versioning;

namespace Gantry.Core.Versions;

/// <summary>
/// A registry tag read as a version, keeping the tag's original spelling: <c>v1.2.3</c>, <c>1.2.3</c>,
/// <c>1.2.3.4</c>, <c>1.2.3-rc.1</c>, <c>1.2.3_build.5</c>. Tags that are not versions (<c>main</c>, <c>sha-abc</c>) do not parse.
/// </summary>
/// <param name="Tag">The tag exactly as the source listed it.</param>
/// <param name="Version">The version it stands for.</param>
public sealed record TagVersion(string Tag, NuGetVersion Version)
{
    /// <summary>
    /// Reads <paramref name="tag"/> as a version of one to four numeric parts with an optional <c>v</c> prefix,
    /// prerelease label and build metadata. OCI tags cannot hold '+', so Helm stores it as '_'
    /// (helm/helm pkg/registry: "+" in the chart version becomes "_" in the tag); both spellings are read.
    /// </summary>
    public static bool TryParse(string? tag, [NotNullWhen(true)] out TagVersion? version)
    {
        version = null;
        if (!TryParseVersion(tag, out var parsed))
        {
            return false;
        }

        version = new TagVersion(tag!, parsed);
        return true;
    }

    internal static bool TryParseVersion(string? text, [NotNullWhen(true)] out NuGetVersion? version)
    {
        version = null;
        if (string.IsNullOrEmpty(text) || text.Length > 128)
        {
            return false;
        }

        var span = text.AsSpan();
        if (span[0] is 'v' or 'V')
        {
            span = span[1..];
        }

        // NuGet's parser is lenient about what surrounds the numbers; insist on a digit first and no blanks.
        if (span.IsEmpty || !char.IsAsciiDigit(span[0]) || span.ContainsAny(' ', '\t'))
        {
            return false;
        }

        var candidate = span.ToString();
        if (!candidate.Contains('+', StringComparison.Ordinal))
        {
            var underscore = candidate.IndexOf('_', StringComparison.Ordinal);
            if (underscore > 0)
            {
                candidate = string.Concat(candidate.AsSpan(0, underscore), "+", candidate.AsSpan(underscore + 1));
            }
        }

        if (!NuGetVersion.TryParse(candidate, out var parsed) || !HasOnlyDigitParts(candidate))
        {
            return false;
        }

        version = parsed;
        return true;
    }

    // NuGet's parser is lenient beyond what a tag should mean; keep the numeric core to one to four
    // dot-separated runs of digits so that "1..2" or "1.2.3." never count as versions.
    private static bool HasOnlyDigitParts(string candidate)
    {
        var end = candidate.AsSpan().IndexOfAny('-', '+');
        var core = end < 0 ? candidate.AsSpan() : candidate.AsSpan(0, end);
        var parts = 0;
        foreach (var range in core.Split('.'))
        {
            var part = core[range];
            if (part.IsEmpty || !part.ContainsOnlyAsciiDigits())
            {
                return false;
            }

            parts++;
        }

        return parts is >= 1 and <= 4;
    }
}

internal static class SpanExtensions
{
    public static bool ContainsOnlyAsciiDigits(this ReadOnlySpan<char> span) => !span.ContainsAnyExceptInRange('0', '9');
}
