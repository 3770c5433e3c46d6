using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Data.Identity;
using Gantry.Data.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Identity;

/// <summary>
/// The web UI's sign-in: an HttpOnly, SameSite=Strict cookie (Secure over HTTPS) that names the user and a session.
/// A session is a refresh-token family that nobody holds: signing out revokes it, and so does everything that revokes
/// a user's tokens. Each request checks the session and reads the user's roles afresh (<see cref="UserPrincipalLoader"/>),
/// as the bearer schemes do, so a removed membership takes effect at once. The cookie authenticates the UI's pages and
/// forms (which carry an antiforgery token) and reads of the API (the browser's live status stream); an API call that
/// changes something still needs a bearer token, so no cross-site form can reach the API with the cookie.
/// A session started through an external provider (<see cref="OidcBrowserSignIn"/>) also keeps the claims its
/// issuer's rules matched at sign-in, and applies the rules as configured now to them on each request, on top of the
/// roles read afresh: what the rules grant lasts as long as the session, as it lasts as long as a bearer token.
/// </summary>
public sealed class BrowserSession(
    TokenService tokens, RefreshTokenRepository sessions, UserPrincipalLoader principals, IOptions<AuthOptions> auth, TimeProvider time)
{
    public const string Scheme = "GantrySession";
    public const string CookieName = "gantry_session";
    public const string LoginPath = "/login";
    private const string SessionClaim = "sid";
    private const string IssuerClaim = "oidc_issuer";
    private const string RuleClaimPrefix = "oidc_claim:";

    /// <summary>The longest a browser stays signed in, however busy.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>Whether the session cookie may authenticate this request (one without a bearer token).</summary>
    public static bool MayAuthenticate(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Cookies.ContainsKey(CookieName)
            && (!IsApi(request) || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
    }

    /// <summary>Only a path on this site, else <c>/</c>: a sign-in link must not send anyone elsewhere.</summary>
    public static string LocalPath(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    public Task SignInAsync(HttpContext context, UserRecord user, CancellationToken cancellationToken) =>
        SignInAsync(context, user, [], cancellationToken);

    /// <summary>A session of a user who signed in through <paramref name="issuer"/>, keeping the claims its rules matched.</summary>
    public Task SignInExternalAsync(HttpContext context, UserRecord user, OidcIssuerOptions issuer, IEnumerable<Claim> ruleClaims, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return SignInAsync(context, user, [new Claim(IssuerClaim, issuer.Name), .. ruleClaims.Select(c => new Claim(RuleClaimPrefix + c.Type, c.Value))], cancellationToken);
    }

    private async Task SignInAsync(HttpContext context, UserRecord user, IEnumerable<Claim> kept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(user);
        var issued = await tokens.IssueAsync(user, familyId: null, cancellationToken);
        var identity = new ClaimsIdentity(Scheme, GantryClaims.Name, null);
        identity.AddClaim(new Claim(GantryClaims.Subject, user.Id));
        identity.AddClaim(new Claim(SessionClaim, Secrets.Hash(issued.RefreshToken)));
        identity.AddClaims(kept);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties
        {
            IsPersistent = false,
            ExpiresUtc = time.GetUtcNow().Add(Lifetime),
        });
    }

    public async Task SignOutAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.FindFirst(SessionClaim)?.Value is { } session
            && await sessions.FindByHashAsync(session, cancellationToken) is { } record)
        {
            await sessions.RevokeFamilyAsync(record.FamilyId, time.GetUtcNow(), cancellationToken);
        }

        await context.SignOutAsync(Scheme);
    }

    public void Configure(CookieAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.Cookie.IsEssential = true;
        options.LoginPath = LoginPath;
        options.ExpireTimeSpan = Lifetime;
        options.SlidingExpiration = false;
        options.Events = new CookieAuthenticationEvents
        {
            OnValidatePrincipal = ValidateAsync,
            // The API answers in status codes, never with a redirect to a page.
            OnRedirectToLogin = context => IsApi(context.Request) ? Status(context.Response, StatusCodes.Status401Unauthorized) : Redirect(context),
            OnRedirectToAccessDenied = context => IsApi(context.Request) ? Status(context.Response, StatusCodes.Status403Forbidden) : Redirect(context),
        };
    }

    private async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var subject = context.Principal?.FindFirst(GantryClaims.Subject)?.Value;
        var session = context.Principal?.FindFirst(SessionClaim)?.Value;
        var cancel = context.HttpContext.RequestAborted;
        var record = session is null ? null : await sessions.FindByHashAsync(session, cancel);
        // A session of an external user ends when its issuer is no longer configured for the web UI.
        var issuerName = context.Principal?.FindFirst(IssuerClaim)?.Value;
        var issuer = issuerName is null ? null
            : auth.Value.Oidc.Issuers.FirstOrDefault(i => i.OffersWebSignIn && string.Equals(i.Name, issuerName, StringComparison.Ordinal));
        var principal = record is null || record.UserId != subject || record.RevokedAt is not null || record.ExpiresAt <= time.GetUtcNow()
            || (issuerName is not null && issuer is null)
            ? null
            : await principals.LoadAsync(record.UserId, issuer is null ? PrincipalKind.User : PrincipalKind.External, cancel);
        if (principal is not null && issuer is not null)
        {
            var kept = context.Principal!.Claims.Where(c => c.Type.StartsWith(RuleClaimPrefix, StringComparison.Ordinal))
                .Select(c => new Claim(c.Type[RuleClaimPrefix.Length..], c.Value));
            principal = ExternalIdentityMapper.ApplyRules(principal, kept, issuer);
        }

        if (principal is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }

        var identity = GantryClaims.CreateIdentity(principal);
        identity.AddClaim(new Claim(SessionClaim, session!));
        context.ReplacePrincipal(new ClaimsPrincipal(identity));
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    private static Task Status(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
