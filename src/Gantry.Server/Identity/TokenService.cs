using System.Security.Claims;
using System.Text.Json.Serialization;
using Gantry.Core.Identity;
using Gantry.Data.Identity;
using Gantry.Data.Users;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Identity;

/// <summary>The OAuth 2.0 token response (RFC 6749 §5.1).</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string RefreshToken);

/// <summary>Why a refresh token was refused; all of them answer <c>invalid_grant</c>.</summary>
public enum RefreshOutcome
{
    Refreshed,
    Unknown,
    Expired,
    Revoked,

    /// <summary>Used before: someone replayed it, so its whole family is revoked.</summary>
    Reused,
}

/// <summary>Issues short-lived ES256 access tokens and single-use, revocable refresh tokens.</summary>
public sealed class TokenService(
    SigningKeyStore keys,
    RefreshTokenRepository refreshTokens,
    UserPrincipalLoader principals,
    IOptions<AuthOptions> options,
    TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    public async Task<TokenResponse> IssueAsync(UserRecord user, string? familyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var principal = await principals.ToPrincipalAsync(user, PrincipalKind.User, cancellationToken);
        var now = time.GetUtcNow();
        familyId ??= Guid.CreateVersion7(now).ToString();
        var access = CreateAccessToken(principal, familyId);
        var refresh = Secrets.Create(Secrets.RefreshTokenPrefix);
        await refreshTokens.InsertAsync(new RefreshTokenRecord
        {
            Id = Guid.CreateVersion7(now).ToString(),
            TokenHash = Secrets.Hash(refresh),
            FamilyId = familyId,
            UserId = user.Id,
            CreatedAt = now,
            ExpiresAt = now.AddDays(options.Value.RefreshTokenDays),
        }, cancellationToken);
        return new TokenResponse(access, "Bearer", options.Value.AccessTokenMinutes * 60, refresh);
    }

    /// <summary>Consumes <paramref name="refreshToken"/>: the record it names when it was valid, else why not.</summary>
    public async Task<(RefreshOutcome Outcome, RefreshTokenRecord? Token)> ConsumeAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var hash = Secrets.Hash(refreshToken);
        var token = await refreshTokens.FindByHashAsync(hash, cancellationToken);
        if (token is null || !Secrets.HashesEqual(token.TokenHash, hash))
        {
            return (RefreshOutcome.Unknown, null);
        }

        var now = time.GetUtcNow();
        if (token.RevokedAt is not null)
        {
            return (RefreshOutcome.Revoked, token);
        }

        if (token.UsedAt is not null || !await refreshTokens.TryMarkUsedAsync(token.Id, now, cancellationToken))
        {
            await refreshTokens.RevokeFamilyAsync(token.FamilyId, now, cancellationToken);
            return (RefreshOutcome.Reused, token);
        }

        return token.ExpiresAt <= now ? (RefreshOutcome.Expired, token) : (RefreshOutcome.Refreshed, token);
    }

    /// <summary>Revokes the family of <paramref name="refreshToken"/> (RFC 7009 revocation); unknown tokens are ignored.</summary>
    public async Task<RefreshTokenRecord?> RevokeAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var token = await refreshTokens.FindByHashAsync(Secrets.Hash(refreshToken), cancellationToken);
        if (token is not null)
        {
            await refreshTokens.RevokeFamilyAsync(token.FamilyId, time.GetUtcNow(), cancellationToken);
        }

        return token;
    }

    /// <summary>
    /// An access token for <paramref name="principal"/>; with <paramref name="familyId"/> it carries the login's
    /// <c>sid</c>, so revoking the login (its refresh tokens) refuses its access tokens at once, not when they expire.
    /// </summary>
    public string CreateAccessToken(Principal principal, string? familyId = null)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var key = keys.Current;
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = principal.Id,
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
            [GantryClaims.Name] = principal.Name,
            [GantryClaims.TenantRole] = principal.Memberships.Select(m => $"{m.Key}:{m.Value.ToName()}").ToArray(),
        };
        if (principal.IsPlatformAdmin)
        {
            claims[GantryClaims.PlatformAdmin] = true;
        }

        if (familyId is not null)
        {
            claims[GantryClaims.Login] = familyId;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(options.Value.AccessTokenMinutes),
            Claims = claims,
            Subject = new ClaimsIdentity(),
            TokenType = SigningKeyStore.AccessTokenType,
            SigningCredentials = new SigningCredentials(key.SecurityKey, SigningKeyStore.Algorithm),
        });
    }
}
