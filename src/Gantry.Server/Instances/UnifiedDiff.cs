using System.Text;
using Gantry.Core.State;
using Microsoft.Net.Http.Headers;

namespace Gantry.Server.Instances;

/// <summary>The diff endpoint's second form: the files' patches as one unified diff, as <c>git diff</c> prints it.</summary>
public static class UnifiedDiff
{
    public const string MediaType = "text/x-diff";

    /// <summary>
    /// Whether the request prefers the unified diff: <c>text/x-diff</c> is accepted with a quality above zero and at
    /// least that of JSON. Without an Accept header (or with <c>*/*</c> alone) the answer stays JSON, as before.
    /// </summary>
    public static bool IsWanted(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        double? diff = null, json = null;
        foreach (var media in accepted)
        {
            var quality = media.Quality ?? 1.0;
            if (media.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase))
            {
                diff = Math.Max(diff ?? 0, quality);
            }
            else if (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json ?? 0, quality);
            }
        }

        return diff > 0 && diff >= (json ?? 0);
    }

    /// <summary>
    /// The patches in path order, each starting with its <c>diff --git</c> header as libgit2 prints it, so the text
    /// applies with <c>git apply</c> or <c>patch -p1</c>.
    /// </summary>
    public static string Concatenate(IEnumerable<FileDiff> diffs)
    {
        var text = new StringBuilder();
        // git prints files in path order; the store answers them per instance path.
        foreach (var diff in diffs.OrderBy(d => d.Path, StringComparer.Ordinal))
        {
            text.Append(diff.Patch);
            if (diff.Patch.Length > 0 && diff.Patch[^1] != '\n')
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }
}
