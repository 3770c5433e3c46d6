using Gantry.Client;

namespace Gantry.Cli.Config;

/// <summary>
/// The contexts file, like a kubeconfig: the servers signed in to and which one commands use. It holds tokens, so
/// it is written readable by its owner only.
/// </summary>
internal sealed record CliConfig
{
    public string? CurrentContext { get; init; }

    public IReadOnlyList<CliContext> Contexts { get; init; } = [];

    public CliContext? Find(string name) => Contexts.FirstOrDefault(c => c.Name == name);

    /// <summary>Adds or replaces the context of that name.</summary>
    public CliConfig With(CliContext context) =>
        this with { Contexts = [.. Contexts.Where(c => c.Name != context.Name), context] };

    public CliConfig Without(string name) => this with
    {
        Contexts = [.. Contexts.Where(c => c.Name != name)],
        CurrentContext = CurrentContext == name ? null : CurrentContext,
    };
}

/// <summary>
/// One server and the credentials to use there: the tokens of a password login (renewed with the refresh token) or
/// an API key. <see cref="Tenant"/> is what <c>--tenant</c> defaults to.
/// </summary>
internal sealed record CliContext
{
    public required string Name { get; init; }

    public required string Server { get; init; }

    public string? User { get; init; }

    public string? Tenant { get; init; }

    public string? AccessToken { get; init; }

    public string? RefreshToken { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public string? ApiKey { get; init; }

    /// <summary>For an OpenID Connect login: the provider as Gantry lists it and its token endpoint, where the refresh token is used.</summary>
    public OidcProvider? Oidc { get; init; }

    public string? OidcTokenEndpoint { get; init; }

    public string AuthKind => ApiKey is not null ? "api-key" : Oidc is not null ? $"oidc ({Oidc.Name})" : RefreshToken is not null ? "password" : "none";
}
