using System.Globalization;
using System.Text;
using Gantry.Core.State;

namespace Gantry.Git.Objects;

/// <summary>Writes commit objects as Git stores them (git: Documentation/gitformat-commit? commit.c) with Gantry's trailers.</summary>
internal static class CommitWriter
{
    public static GitHash Write(
        PackBuilder pack,
        GitHash tree,
        GitHash? parent,
        ChangeAuthor author,
        ChangeAuthor committer,
        DateTimeOffset when,
        string message,
        IEnumerable<KeyValuePair<string, string>> trailers)
    {
        var seconds = when.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append("tree ").Append(tree.ToString()).Append('\n');
        if (parent is { } p)
        {
            text.Append("parent ").Append(p.ToString()).Append('\n');
        }

        text.Append("author ").Append(Ident(author)).Append(' ').Append(seconds).Append(" +0000\n");
        text.Append("committer ").Append(Ident(committer)).Append(' ').Append(seconds).Append(" +0000\n\n");
        text.Append(Message(message, trailers));
        return pack.Add(GitObjectType.Commit, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The message with trailing blank lines removed, then a blank line and one "Key: value" line per trailer.</summary>
    public static string Message(string message, IEnumerable<KeyValuePair<string, string>> trailers)
    {
        var text = new StringBuilder(message.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd()).Append('\n');
        var first = true;
        foreach (var (key, value) in trailers)
        {
            if (first)
            {
                text.Append('\n');
                first = false;
            }

            text.Append(key).Append(": ").Append(OneLine(value)).Append('\n');
        }

        return text.ToString();
    }

    private static string Ident(ChangeAuthor who) =>
        $"{Clean(who.Name, "unknown")} <{Clean(who.Email, "unknown")}>";

    private static string Clean(string value, string fallback)
    {
        var clean = new string(value.Where(c => !char.IsControl(c) && c is not '<' and not '>').ToArray()).Trim();
        return clean.Length == 0 ? fallback : clean;
    }

    private static string OneLine(string value) => new(value.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}
