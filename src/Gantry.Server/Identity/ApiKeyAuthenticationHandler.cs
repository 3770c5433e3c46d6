using System.Security.Claims;
using System.Text.Encodings.Web;
using Gantry.Core.Identity;
using Gantry.Data.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Identity;

/// <summary>
/// <c>Authorization: Bearer gantry_ak_…</c>: looks the key up by its SHA-256 on every request, so a revoked or
/// expired key stops working at once. The principal is the key itself, with one role in one tenant.
/// </summary>
internal sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyRepository keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken(Request) is not { } secret || !secret.StartsWith(Secrets.Prefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var hash = Secrets.Hash(secret);
        var key = await keys.FindByHashAsync(hash, Context.RequestAborted);
        if (key is null || !Secrets.HashesEqual(key.SecretHash, hash))
        {
            Log.Rejected(Logger, "unknown");
            return AuthenticateResult.Fail("Unknown API key.");
        }

        if (key.RevokedAt is not null || (key.ExpiresAt is { } expires && expires <= TimeProvider.GetUtcNow()) || !TenantRoles.TryParse(key.Role, out var role))
        {
            Log.Rejected(Logger, key.Id);
            return AuthenticateResult.Fail("The API key is revoked or expired.");
        }

        var principal = new Principal
        {
            Id = $"api-key:{key.Id}",
            Name = key.Name,
            Kind = PrincipalKind.ApiKey,
            Memberships = new Dictionary<string, TenantRole>(StringComparer.Ordinal) { [key.Tenant] = role },
        };
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(GantryClaims.CreateIdentity(principal)), SchemeName));
    }

    // RFC 6750 §3: say which scheme to use and, when a key was sent, that it was not accepted.
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return Task.CompletedTask;
    }

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Rejected API key {KeyId}")]
        public static partial void Rejected(ILogger logger, string keyId);
    }
}
