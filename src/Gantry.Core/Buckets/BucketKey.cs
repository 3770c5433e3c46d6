namespace Gantry.Core.Buckets;

/// <summary>
/// The keys an <see cref="IObjectBucket"/> accepts: relative, '/'-separated paths whose segments are made of
/// lower-case letters, digits, '.', '_' and '-' and start with a letter or digit (so "." and "..", hidden files and
/// option-like names cannot occur). Nothing is rewritten: a key that is not already in this form is refused, which
/// keeps a key meaning the same object in a folder and in S3, where listing order is the ordinal one.
/// </summary>
public static class BucketKey
{
    /// <summary>Longest key, in characters (all ASCII); S3 allows 1024 bytes.</summary>
    public const int MaxLength = 1024;

    /// <summary>Longest segment; most file systems stop at 255 bytes per name.</summary>
    public const int MaxSegmentLength = 255;

    /// <summary>Returns null when <paramref name="key"/> is a valid key, else why it is not.</summary>
    public static string? Check(string? key)
    {
        if (key is null)
        {
            return "is required";
        }

        if (key.Length == 0)
        {
            return "must not be empty";
        }

        if (key.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters long";
        }

        if (key[0] == '/')
        {
            return "must be relative (no leading '/')";
        }

        var segmentStart = 0;
        for (var i = 0; i <= key.Length; i++)
        {
            if (i < key.Length && key[i] != '/')
            {
                if (CheckCharacter(key[i]) is { } problem)
                {
                    return problem;
                }

                continue;
            }

            var length = i - segmentStart;
            if (length == 0)
            {
                return "must not contain empty segments ('//' or a trailing '/')";
            }

            if (length > MaxSegmentLength)
            {
                return $"must not contain segments longer than {MaxSegmentLength} characters";
            }

            if (!IsAlphanumeric(key[segmentStart]))
            {
                return "segments must start with a lower-case letter or a digit (no '.', '..' or hidden names)";
            }

            segmentStart = i + 1;
        }

        return null;
    }

    public static bool IsValid(string? key) => Check(key) is null;

    /// <summary>Throws <see cref="ArgumentException"/> (the port's contract) unless <paramref name="key"/> is valid.</summary>
    public static string EnsureValid(string? key, string parameterName = "key") =>
        Check(key) is { } problem ? throw new ArgumentException($"Bucket key {problem}.", parameterName) : key!;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="prefix"/> is "" or the start of some valid key
    /// ("tenant/", "tenant/dev-"); a prefix that no key can have (such as "../") is a caller's mistake, not an empty list.
    /// </summary>
    public static string EnsureValidPrefix(string? prefix, string parameterName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, parameterName);
        // A prefix is valid exactly when extending it with one letter gives a valid key.
        return prefix.Length == 0 || Check(prefix + "a") is null
            ? prefix
            : throw new ArgumentException($"Bucket key prefix '{prefix}' cannot start any valid key.", parameterName);
    }

    private static string? CheckCharacter(char c) =>
        IsAlphanumeric(c) || c is '.' or '_' or '-'
            ? null
            : c is '\\'
                ? "must use '/' as separator, not '\\'"
                : char.IsControl(c)
                    ? "must not contain control characters or NUL"
                    : "must contain only lower-case letters, digits, '.', '_', '-' and '/'";

    private static bool IsAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}
