namespace Gantry.Data;

/// <summary>LIKE patterns from user text: '\', '%' and '_' match themselves (used with <c>ESCAPE '\'</c>).</summary>
internal static class SqlLike
{
    public static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
