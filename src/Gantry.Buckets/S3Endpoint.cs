using System.Globalization;

namespace Gantry.Buckets;

/// <summary>An S3 endpoint as the Minio client takes it: host, port and whether to use TLS.</summary>
internal sealed record S3Endpoint(string Host, int Port, bool UseSsl)
{
    /// <summary>Reads <c>host[:port]</c> or <c>http(s)://host[:port]</c>; null with a reason when it is neither.</summary>
    public static S3Endpoint? TryParse(string? value, bool? useSsl, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = "must be set";
            return null;
        }

        var hasScheme = value.Contains("://", StringComparison.Ordinal);
        if (!Uri.TryCreate(hasScheme ? value : "https://" + value, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
            || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = "must be host[:port] or an http(s):// URL without a path, query or credentials";
            return null;
        }

        var schemeSsl = hasScheme ? uri.Scheme == "https" : (bool?)null;
        if (schemeSsl is { } s && useSsl is { } u && s != u)
        {
            problem = $"uses {uri.Scheme}:// but UseSsl is {u.ToString().ToLowerInvariant()}";
            return null;
        }

        var ssl = useSsl ?? schemeSsl ?? true;
        var port = uri.IsDefaultPort && !value.Contains(":" + uri.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            ? (ssl ? 443 : 80)
            : uri.Port;
        return new S3Endpoint(uri.Host, port, ssl);
    }

    public static S3Endpoint Parse(string value, bool? useSsl) =>
        TryParse(value, useSsl, out var problem) ?? throw new ArgumentException($"S3 endpoint {problem}.", nameof(value));
}
