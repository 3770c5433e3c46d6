namespace Gantry.Server.Registry;

/// <summary>
/// The OCI registry that developers push their own builds to (<c>gantry deploy --local</c>), bound from the
/// <c>Registry</c> section. Empty <see cref="Url"/>: no registry, the token server and the retention sweep are off.
/// </summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>The registry's address as clients reach it (<c>https://registry.example.com/</c>).</summary>
    public string? Url { get; set; }

    /// <summary>The suffix of every user's own repository namespace: <c>alice</c> pushes under <c>alice-local/</c>.</summary>
    public string LocalSuffix { get; set; } = "-local";

    /// <summary>How long a manifest in a <c>-local</c> repository lives before the sweep deletes it.</summary>
    public TimeSpan LocalRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the retention sweep runs.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(15);

    public RegistryTokenServerOptions TokenServer { get; set; } = new();

    /// <summary>Whether a registry is configured at all.</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The repository namespace a user pushes to.</summary>
    public string LocalNamespaceOf(string user) => user + LocalSuffix;
}

/// <summary>
/// Gantry as the registry's token server (distribution docs/spec/auth/token.md): the registry's <c>auth.token</c>
/// section names the same <see cref="Issuer"/> and <see cref="Service"/>, its <c>realm</c> is
/// <c>{Gantry}/api/v1/registry/token</c>, and its <c>rootcertbundle</c> holds the CA of <see cref="CertificateFile"/>.
/// </summary>
public sealed class RegistryTokenServerOptions
{
    /// <summary>The <c>iss</c> of every token; the registry's <c>auth.token.issuer</c>.</summary>
    public string Issuer { get; set; } = "gantry";

    /// <summary>The registry's <c>auth.token.service</c>: the <c>aud</c> of every token and the <c>service</c> a client asks for.</summary>
    public string Service { get; set; } = "gantry-registry";

    /// <summary>PEM certificate of the signing key, optionally followed by its intermediates; sent as the JWT's <c>x5c</c>.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key (RSA or EC P-256) of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>How long a token is valid.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether any signed-in principal may pull from repositories outside the <c>-local</c> namespaces.</summary>
    public bool PullOutsideLocal { get; set; } = true;
}
