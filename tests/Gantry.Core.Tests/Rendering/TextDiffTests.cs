using System.Globalization;
using Gantry.Core.Rendering;

namespace Gantry.Core.Tests.Rendering;

public sealed class TextDiffTests
{
    [Fact]
    public void A_changed_line_is_one_hunk_with_its_context()
    {
        Assert.Equal("@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", TextDiff.Unified("a\nb\nc\n", "a\nB\nc\n"));
        Assert.Equal(string.Empty, TextDiff.Unified("a\nb\n", "a\nb\n"));
        Assert.Equal("@@ -0,0 +1,2 @@\n+x\n+y\n", TextDiff.Unified("", "x\ny\n"));
    }

    [Fact]
    public void Far_apart_changes_are_separate_hunks()
    {
        string Lines(Func<int, string> line) => string.Concat(Enumerable.Range(1, 20).Select(i => line(i) + "\n"));
        var before = Lines(i => i.ToString(CultureInfo.InvariantCulture));
        var after = Lines(i => i switch { 2 => "two", 18 => "eighteen", _ => i.ToString(CultureInfo.InvariantCulture) });

        var diff = TextDiff.Unified(before, after);

        Assert.Equal(["@@ -1,5 +1,5 @@", "@@ -15,6 +15,6 @@"], diff.Split('\n').Where(l => l.StartsWith("@@", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Applying_the_hunks_to_the_old_text_gives_the_new_one(int seed)
    {
        var random = new Random(seed);
        string Text() => string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => $"line{random.Next(0, 6)}\n"));
        var (before, after) = (Text(), Text());

        Assert.Equal(after, Apply(before, TextDiff.Unified(before, after)));
    }

    // Applies hunks the way patch does: copy unchanged lines up to each hunk's old start, then take its lines.
    private static string Apply(string before, string diff)
    {
        var old = before.Length == 0 ? [] : before.TrimEnd('\n').Split('\n');
        var result = new List<string>();
        var next = 0;
        foreach (var line in diff.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("@@", StringComparison.Ordinal))
            {
                var range = line.Split(' ')[1][1..].Split(',');
                var start = int.Parse(range[0], CultureInfo.InvariantCulture);
                var count = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : 1;
                var first = count == 0 ? start : start - 1;
                result.AddRange(old[next..first]);
                next = first;
                continue;
            }

            if (line[0] != '+')
            {
                next++;
            }

            if (line[0] != '-')
            {
                result.Add(line[1..]);
            }
        }

        result.AddRange(old[next..]);
        return string.Concat(result.Select(l => l + "\n"));
    }
}
