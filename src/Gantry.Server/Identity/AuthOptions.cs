namespace Gantry.Server.Identity;

/// <summary>Authentication settings, bound from the <c>Auth</c> section and checked at start.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The <c>iss</c> of Gantry's access tokens. Set it to Gantry's public URL in production, so other services can discover the keys.</summary>
    public string Issuer { get; set; } = "gantry";

    /// <summary>The <c>aud</c> of Gantry's access tokens.</summary>
    public string Audience { get; set; } = "gantry-api";

    public int AccessTokenMinutes { get; set; } = 15;

    public int RefreshTokenDays { get; set; } = 14;

    /// <summary>A new signing key is made when the newest is this old; older keys stay published until their last token expires.</summary>
    public int SigningKeyRotationDays { get; set; } = 90;

    /// <summary>
    /// A folder of signing keys managed outside Gantry (a Secret mounted into every replica), one <c>*.json</c> file per
    /// key. Gantry then only reads it: the newest key signs, and rotating means adding a newer file. Unset, Gantry makes
    /// and rotates its keys in <c>keys/</c> in the data folder, which only one replica can use.
    /// </summary>
    public string? SigningKeysFolder { get; set; }

    public LoginThrottleOptions Throttle { get; set; } = new();

    public OidcOptions Oidc { get; set; } = new();
}

/// <summary>Limits on <c>/api/v1/auth/token</c>.</summary>
public sealed class LoginThrottleOptions
{
    /// <summary>Failed logins per username from one client address in <see cref="WindowSeconds"/> before that address answers 429 for it.</summary>
    public int FailuresPerUser { get; set; } = 5;

    /// <summary>Token requests per client address in <see cref="WindowSeconds"/>.</summary>
    public int RequestsPerClient { get; set; } = 60;

    public int WindowSeconds { get; set; } = 300;

    /// <summary>Failed logins per username (from any address) in <see cref="AccountWindowSeconds"/> before its attempts are slowed.</summary>
    public int SlowDownAfterFailures { get; set; } = 10;

    public int AccountWindowSeconds { get; set; } = 900;

    /// <summary>The first delay; each further failure doubles it.</summary>
    public int SlowDownStartMilliseconds { get; set; } = 500;

    public int SlowDownMaxSeconds { get; set; } = 10;
}

public sealed class OidcOptions
{
    public List<OidcIssuerOptions> Issuers { get; set; } = [];
}

/// <summary>One external OpenID Connect issuer whose access tokens Gantry accepts.</summary>
public sealed class OidcIssuerOptions
{
    /// <summary>A short name: the authentication scheme is <c>oidc-{Name}</c> and just-in-time usernames are <c>{Name}/{user}</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The issuer URL; its <c>/.well-known/openid-configuration</c> gives the keys.</summary>
    public string Authority { get; set; } = string.Empty;

    /// <summary>The <c>iss</c> its tokens carry when it differs from <see cref="Authority"/> (rare).</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> Gantry's tokens from this issuer must carry.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>
    /// A public client of this provider that the gantry CLI signs in with (OAuth 2.0 device authorization flow,
    /// RFC 8628); issuers with one are listed at <c>GET /api/v1/auth/providers</c>.
    /// </summary>
    public string? CliClientId { get; set; }

    /// <summary>
    /// A client of this provider for the web UI (authorization code flow with PKCE, redirect URI
    /// <c>{Gantry's URL}/signin-oidc/{Name}</c>); issuers with one get a "Sign in with" button on <c>/login</c>.
    /// </summary>
    public string? WebClientId { get; set; }

    /// <summary>The secret of <see cref="WebClientId"/> when the provider registered it as a confidential client.</summary>
    public string? WebClientSecret { get; set; }

    /// <summary>The scopes the web UI asks for; the claims the rules read must reach the ID token through them.</summary>
    public string WebScope { get; set; } = "openid profile email";

    /// <summary>Only for tests and local development: allow an <c>http://</c> authority.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The claim that names the user; <c>sub</c> is used when it is missing.</summary>
    public string UsernameClaim { get; set; } = "preferred_username";

    public List<OidcClaimRule> Rules { get; set; } = [];

    public string SchemeName => $"oidc-{Name}";

    /// <summary>The authentication scheme of the web UI's sign-in through this issuer.</summary>
    public string WebSchemeName => $"oidc-web-{Name}";

    public bool OffersWebSignIn => !string.IsNullOrEmpty(WebClientId);

    public string ExpectedIssuer => (Issuer ?? Authority).TrimEnd('/');
}

/// <summary>A claim (type and value) that grants a role in a tenant, or platform administration.</summary>
public sealed class OidcClaimRule
{
    public string Claim { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;

    public string? Tenant { get; set; }

    public string? Role { get; set; }

    public bool PlatformAdmin { get; set; }
}
