using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Data.Users;
using Gantry.Server.Audit;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Gantry.Server.Identity;

/// <summary>
/// Turns a validated token of an external OpenID Connect issuer into a Gantry principal: records the user just in
/// time (so memberships and audit work as for local users) and applies the issuer's claim rules. The API's bearer
/// tokens and the web UI's sign-in (<see cref="OidcBrowserSignIn"/>) both come through here.
/// </summary>
public sealed partial class ExternalIdentityMapper(
    UserRepository users,
    UserPrincipalLoader principals,
    AuditLog audit,
    TimeProvider time,
    ILogger<ExternalIdentityMapper> logger)
{
    public async Task MapAsync(TokenValidatedContext context, OidcIssuerOptions issuer)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(issuer);
        var claims = context.Principal!;
        if (await FindOrRecordAsync(context.HttpContext, issuer, claims) is not { } user)
        {
            context.Fail("The token has no subject.");
            return;
        }

        var stored = await principals.ToPrincipalAsync(user, PrincipalKind.External, context.HttpContext.RequestAborted);
        context.Principal = new ClaimsPrincipal(GantryClaims.CreateIdentity(ApplyRules(stored, claims.Claims, issuer)));
    }

    /// <summary>The user record of the token's subject, recorded now if this is its first sign-in; null without a subject.</summary>
    public async Task<UserRecord?> FindOrRecordAsync(HttpContext context, OidcIssuerOptions issuer, ClaimsPrincipal claims)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(claims);
        if (claims.FindFirst("sub")?.Value is not { Length: > 0 } subject)
        {
            return null;
        }

        return await users.FindByExternalAsync(issuer.Name, subject, context.RequestAborted)
            ?? await RecordAsync(context, issuer, subject, claims);
    }

    /// <summary>The stored principal with what the issuer's claim rules grant on top (the higher role where both name a tenant).</summary>
    public static Principal ApplyRules(Principal stored, IEnumerable<Claim> claims, OidcIssuerOptions issuer)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(issuer);
        var list = claims as IReadOnlyCollection<Claim> ?? [.. claims];
        var granted = new Dictionary<string, TenantRole>(StringComparer.Ordinal);
        var platformAdmin = stored.IsPlatformAdmin;
        foreach (var rule in issuer.Rules.Where(r => Matches(list, r)))
        {
            if (rule.PlatformAdmin)
            {
                platformAdmin = true;
            }
            else if (TenantRoles.TryParse(rule.Role, out var role) && (!granted.TryGetValue(rule.Tenant!, out var had) || role > had))
            {
                granted[rule.Tenant!] = role;
            }
        }

        return stored with { IsPlatformAdmin = platformAdmin, Memberships = GantryClaims.Merge(stored.Memberships, granted) };
    }

    /// <summary>The claims some rule of the issuer matches: all a browser session keeps to apply the rules again later.</summary>
    public static IReadOnlyList<Claim> RuleClaims(IEnumerable<Claim> claims, OidcIssuerOptions issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return [.. claims.Where(c => issuer.Rules.Any(r => Matches([c], r))).Select(c => new Claim(c.Type, c.Value))];
    }

    // A rule matches a claim with that exact value; space-separated claims (scope, scp) match any one of their words.
    private static bool Matches(IEnumerable<Claim> claims, OidcClaimRule rule) =>
        claims.Any(c => string.Equals(c.Type, rule.Claim, StringComparison.Ordinal)
            && (string.Equals(c.Value, rule.Value, StringComparison.Ordinal)
                || c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(rule.Value, StringComparer.Ordinal)));

    private async Task<UserRecord> RecordAsync(HttpContext context, OidcIssuerOptions issuer, string subject, ClaimsPrincipal claims)
    {
        var now = time.GetUtcNow();
        var name = claims.FindFirst(issuer.UsernameClaim)?.Value is { Length: > 0 } preferred ? preferred : subject;
        var user = new UserRecord
        {
            Id = Guid.CreateVersion7(now).ToString(),
            Username = $"{issuer.Name}/{name}",
            Email = claims.FindFirst("email")?.Value,
            ExternalIssuer = issuer.Name,
            ExternalSubject = subject,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (!await users.TryInsertAsync(user, context.RequestAborted))
        {
            // Two first requests raced, or the preferred name is taken: the subject keeps the record unique.
            user = await users.FindByExternalAsync(issuer.Name, subject, context.RequestAborted)
                ?? user with { Username = $"{issuer.Name}/{subject}" };
            if (await users.FindByIdAsync(user.Id, context.RequestAborted) is null)
            {
                await users.InsertAsync(user, context.RequestAborted);
            }
        }
        else
        {
            Log.Recorded(logger, issuer.Name, user.Username);
            await audit.RecordEventAsync(context, user.Id, user.Username, PrincipalKind.External.ToString(), AuditActions.ExternalUserRecorded,
                AuditOutcomes.Success, target: user.Id, detail: $"issuer {issuer.Name}");
        }

        return user;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Recorded external user {Username} from issuer {Issuer}")]
        public static partial void Recorded(ILogger logger, string issuer, string username);
    }
}
