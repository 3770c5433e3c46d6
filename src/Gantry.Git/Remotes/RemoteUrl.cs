namespace Gantry.Git;

/// <summary>Remote addresses: which kind they are, and how to print them without credentials.</summary>
internal static class RemoteUrl
{
    public static bool IsHttp(string remote) =>
        remote.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || remote.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    public static bool IsSupported(string remote) =>
        IsHttp(remote) ? Uri.TryCreate(remote, UriKind.Absolute, out _) : LocalPath(remote) is not null;

    /// <summary>The folder of a file:// URL or local path remote; null for anything else.</summary>
    public static string? LocalPath(string remote)
    {
        if (remote.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(remote, UriKind.Absolute, out var uri) ? Path.GetFullPath(uri.LocalPath) : null;
        }

        return remote.Contains("://", StringComparison.Ordinal) ? null : Path.GetFullPath(remote);
    }

    /// <summary>The URL with any user information replaced, fit for logs and error messages.</summary>
    public static string Redact(string remote)
    {
        if (IsHttp(remote) && Uri.TryCreate(remote, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0)
        {
            return new UriBuilder(uri) { UserName = "***", Password = "" }.Uri.ToString();
        }

        return remote;
    }

    /// <summary>The URL without user information, and the user name and password it carried.</summary>
    public static (string Url, string? User, string? Password) Split(string remote)
    {
        if (!IsHttp(remote) || !Uri.TryCreate(remote, UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0)
        {
            return (remote, null, null);
        }

        var parts = uri.UserInfo.Split(':', 2);
        var clean = new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
        return (clean, Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null);
    }

    /// <summary>Removes <paramref name="secret"/> from text that came from elsewhere (a library's error message).</summary>
    public static string Scrub(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "***", StringComparison.Ordinal);
}
