using System.Text;
using Gantry.Core.Validation;

namespace Gantry.Core.State;

/// <summary>
/// Paths inside the state repository. Only normal, relative, forward-slash paths are accepted; nothing is
/// rewritten, so a path that is not already normal is refused rather than silently reinterpreted.
/// The checks follow what Git itself refuses (git: fsck.c, verify_path in read-cache.c) and a little more.
/// </summary>
public static class StatePath
{
    /// <summary>Longest accepted path, in UTF-8 bytes.</summary>
    public const int MaxPathBytes = 1024;

    /// <summary>Longest accepted segment (file or folder name), in UTF-8 bytes; most file systems stop at 255.</summary>
    public const int MaxSegmentBytes = 255;

    /// <summary>Returns null when <paramref name="path"/> is a valid file path, else why it is not.</summary>
    public static string? Check(string? path) => Check(path, allowRoot: false);

    /// <summary>Like <see cref="Check(string?)"/> for a folder; the empty string names the repository root.</summary>
    public static string? CheckFolder(string? path) => Check(path, allowRoot: true);

    public static bool IsValid(string? path) => Check(path) is null;

    /// <summary>Adds an error naming <paramref name="field"/> when <paramref name="path"/> is not a valid file path.</summary>
    public static void Validate(string? path, string field, ValidationErrors errors)
    {
        if (Check(path) is { } problem)
        {
            errors.Add(field, problem);
        }
    }

    /// <summary>Throws <see cref="ValidationFailedException"/> unless <paramref name="path"/> is a valid file path.</summary>
    public static string EnsureValid(string? path, string field = "path") => Ensure(path, field, allowRoot: false);

    /// <summary>Throws <see cref="ValidationFailedException"/> unless <paramref name="path"/> is a valid folder ("" is the root).</summary>
    public static string EnsureValidFolder(string? path, string field = "path") => Ensure(path, field, allowRoot: true);

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it ("" contains everything).</summary>
    public static bool IsWithin(string path, string folder) =>
        folder.Length == 0
        || path == folder
        || (path.Length > folder.Length && path[folder.Length] == '/' && path.StartsWith(folder, StringComparison.Ordinal));

    private static string Ensure(string? path, string field, bool allowRoot)
    {
        if (Check(path, allowRoot) is { } problem)
        {
            throw ValidationFailedException.For(field, problem);
        }

        return path!;
    }

    private static string? Check(string? path, bool allowRoot)
    {
        if (path is null)
        {
            return "is required";
        }

        if (path.Length == 0)
        {
            return allowRoot ? null : "must not be empty";
        }

        if (path.Length > MaxPathBytes || Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            return $"must be at most {MaxPathBytes} bytes long";
        }

        if (path[0] == '/')
        {
            return "must be relative (no leading '/')";
        }

        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c < 0x20 || c == 0x7F)
            {
                return "must not contain control characters or NUL";
            }

            if (c == '\\')
            {
                return "must use '/' as separator, not '\\'";
            }

            if (char.IsHighSurrogate(c) && (i + 1 >= path.Length || !char.IsLowSurrogate(path[i + 1])))
            {
                return "must be valid Unicode";
            }

            if (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(path[i - 1])))
            {
                return "must be valid Unicode";
            }
        }

        foreach (var segment in path.Split('/'))
        {
            if (CheckSegment(segment) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? CheckSegment(string segment)
    {
        if (segment.Length == 0)
        {
            return "must not contain empty segments ('//' or a trailing '/')";
        }

        if (segment is "." or "..")
        {
            return "must not contain '.' or '..' segments";
        }

        if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
        {
            return $"must not contain names longer than {MaxSegmentBytes} bytes";
        }

        // Git refuses ".git" in any case, and file systems that drop trailing dots and spaces (NTFS) or
        // know 8.3 short names would turn ".git." or "git~1" into the repository's own folder.
        var trimmed = segment.TrimEnd('.', ' ');
        if (trimmed.Equals(".git", StringComparison.OrdinalIgnoreCase) || segment.Equals("git~1", StringComparison.OrdinalIgnoreCase))
        {
            return "must not contain a '.git' segment";
        }

        return null;
    }
}
