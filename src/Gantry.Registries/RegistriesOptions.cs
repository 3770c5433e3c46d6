namespace Gantry.Registries;

/// <summary>How Gantry reads OCI registries and Helm repositories. Bound from the <c>Registries</c> section.</summary>
public sealed class RegistriesOptions
{
    public const string SectionName = "Registries";

    /// <summary>Time allowed for one HTTP request (a page of tags, a token, an index).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest response accepted (a tag page, a token, a Helm index); larger ones are refused.</summary>
    public long MaxResponseBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>How long a listed set of tags is reused, so a burst of requests does not hammer a registry. Zero turns it off.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>n</c> asked for on each page of an OCI tag list.</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>Most pages followed for one tag list before giving up (guards against a registry that never ends).</summary>
    public int MaxPages { get; set; } = 1000;

    /// <summary>Registries (<c>host</c> or <c>host:port</c>) spoken to over plain HTTP when a reference gives no scheme (like Helm's <c>--plain-http</c>).</summary>
    public IList<string> PlainHttpHosts { get; } = [];

    /// <summary>Credentials per registry or Helm repository host. Anonymous when none matches.</summary>
    public IList<RegistryCredential> Credentials { get; } = [];

    internal RegistryCredential? FindCredential(Uri uri) =>
        Credentials.FirstOrDefault(c => string.Equals(c.Host, uri.Authority, StringComparison.OrdinalIgnoreCase))
        ?? Credentials.FirstOrDefault(c => string.Equals(c.Host, uri.Host, StringComparison.OrdinalIgnoreCase));

    internal bool UsesPlainHttp(string authority) =>
        PlainHttpHosts.Any(h => string.Equals(h, authority, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A user name and password (or token) for one host; sent as basic auth or to the registry's token realm.</summary>
public sealed class RegistryCredential
{
    /// <summary><c>host</c> or <c>host:port</c>, as in the registry URL.</summary>
    public string Host { get; set; } = string.Empty;

    public string Username { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    // Credentials must never reach a log line or an error message.
    public override string ToString() => $"credential for {Host}";
}
