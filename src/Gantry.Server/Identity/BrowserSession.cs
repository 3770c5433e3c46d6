using System.Security.Claims;
using Gantry.Core.Identity;
using Gantry.Data.Identity;
using Gantry.Data.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Gantry.Server.Identity;

/// <summary>
/// The web UI's sign-in: an HttpOnly, SameSite=Strict cookie (Secure over HTTPS) that names the user and a session.
/// A session is a refresh-token family that nobody holds: signing out revokes it, and so does everything that revokes
/// a user's tokens. Each request checks the session and reads the user's roles afresh (<see cref="UserPrincipalLoader"/>),
/// as the bearer schemes do, so a removed membership takes effect at once. The cookie authenticates the UI's pages and
/// forms (which carry an antiforgery token) and reads of the API (the browser's live status stream); an API call that
/// changes something still needs a bearer token, so no cross-site form can reach the API with the cookie.
/// </summary>
public sealed class BrowserSession(TokenService tokens, RefreshTokenRepository sessions, UserPrincipalLoader principals, TimeProvider time)
{
    public const string Scheme = "GantrySession";
    public const string CookieName = "gantry_session";
    public const string LoginPath = "/login";
    private const string SessionClaim = "sid";

    /// <summary>The longest a browser stays signed in, however busy.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>Whether the session cookie may authenticate this request (one without a bearer token).</summary>
    public static bool MayAuthenticate(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Cookies.ContainsKey(CookieName)
            && (!IsApi(request) || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
    }

    public async Task SignInAsync(HttpContext context, UserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(user);
        var issued = await tokens.IssueAsync(user, familyId: null, cancellationToken);
        var identity = new ClaimsIdentity(Scheme, GantryClaims.Name, null);
        identity.AddClaim(new Claim(GantryClaims.Subject, user.Id));
        identity.AddClaim(new Claim(SessionClaim, Secrets.Hash(issued.RefreshToken)));
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
        var principal = record is null || record.UserId != subject || record.RevokedAt is not null || record.ExpiresAt <= time.GetUtcNow()
            ? null
            : await principals.LoadAsync(record.UserId, PrincipalKind.User, cancel);
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
