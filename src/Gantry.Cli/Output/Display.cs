using System.Globalization;

namespace Gantry.Cli.Output;

/// <summary>Short forms for tables: kubectl's ages (45s, 3m, 2h, 4d) and git's short revisions.</summary>
internal static class Display
{
    public static string Age(DateTimeOffset? then, TimeProvider time)
    {
        if (then is null)
        {
            return "-";
        }

        var age = time.GetUtcNow() - then.Value;
        return age.TotalSeconds < 0 ? "0s"
            : age.TotalMinutes < 2 ? Format(age.TotalSeconds, "s")
            : age.TotalHours < 2 ? Format(age.TotalMinutes, "m")
            : age.TotalDays < 2 ? Format(age.TotalHours, "h")
            : Format(age.TotalDays, "d");
    }

    private static string Format(double value, string unit) => ((long)value).ToString(CultureInfo.InvariantCulture) + unit;

    /// <summary>The first 7 characters of a revision, as git shows them.</summary>
    public static string Revision(string? revision) => revision is null ? "-" : revision.Length > 7 ? revision[..7] : revision;
}
