using System.Globalization;
using System.Text;

namespace Gantry.Core.Rendering;

/// <summary>
/// A unified diff of two small texts (rendered manifests), line by line, with three lines of context, as
/// <c>diff -u</c> prints its hunks. For previews of files that are not committed yet; committed files are diffed by Git.
/// </summary>
public static class TextDiff
{
    private const int Context = 3;

    // Beyond this many line pairs the longest common subsequence table is not worth it: the whole file is replaced.
    private const long MaxCells = 4_000_000;

    /// <summary>The hunks turning <paramref name="before"/> into <paramref name="after"/>; empty when they are equal.</summary>
    public static string Unified(string before, string after)
    {
        var (a, b) = (Lines(before), Lines(after));
        var ops = Operations(a, b);
        var changed = ops.Select((op, i) => (op, i)).Where(p => p.op.Kind != ' ').Select(p => p.i).ToList();
        var text = new StringBuilder();
        for (var k = 0; k < changed.Count;)
        {
            var (start, end) = (Math.Max(0, changed[k] - Context), changed[k]);
            while (k < changed.Count && changed[k] - end <= 2 * Context)
            {
                end = changed[k++];
            }

            end = Math.Min(ops.Count - 1, end + Context);
            var hunk = ops.GetRange(start, end - start + 1);
            var (oldStart, newStart) = (ops[start].OldLine, ops[start].NewLine);
            var (oldCount, newCount) = (hunk.Count(o => o.Kind != '+'), hunk.Count(o => o.Kind != '-'));
            text.Append(CultureInfo.InvariantCulture, $"@@ -{Range(oldStart, oldCount)} +{Range(newStart, newCount)} @@\n");
            foreach (var op in hunk)
            {
                text.Append(op.Kind).Append(op.Text).Append('\n');
            }
        }

        return text.ToString();
    }

    // diff -u numbers an empty range by the line before it.
    private static string Range(int start, int count) => count == 0 ? $"{start - 1},0" : count == 1 ? $"{start}" : $"{start},{count}";

    private static List<(char Kind, string Text, int OldLine, int NewLine)> Operations(string[] a, string[] b)
    {
        var ops = new List<(char, string, int, int)>();
        if ((long)a.Length * b.Length > MaxCells)
        {
            ops.AddRange(a.Select((l, i) => ('-', l, i + 1, 1)));
            ops.AddRange(b.Select((l, j) => ('+', l, a.Length + 1, j + 1)));
            return ops;
        }

        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var (x, y) = (0, 0);
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                ops.Add((' ', a[x], ++x, ++y));
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                ops.Add(('-', a[x], ++x, y + 1)); // removals first, as diff prints them
            }
            else
            {
                ops.Add(('+', b[y], x + 1, ++y));
            }
        }

        return ops;
    }

    private static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
}
