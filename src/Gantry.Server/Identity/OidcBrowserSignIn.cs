using System.IdentityModel.Tokens.Jwt;
using System.Text.Encodings.Web;
using Gantry.Core.Identity;
using Gantry.Server.Audit;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Gantry.Server.Identity;

/// <summary>
/// The web UI's sign-in through an external OpenID Connect provider: the authorization code flow with PKCE (S256),
/// <c>state</c> and <c>nonce</c>, run by ASP.NET Core's OpenID Connect handler (one scheme per issuer with a
/// <see cref="OidcIssuerOptions.WebClientId"/>). The handler keeps the flow in Data Protection–sealed cookies,
/// redeems the code with the verifier and validates the ID token against the discovery document's keys; Gantry
/// then maps the identity as for the API's bearer tokens (<see cref="ExternalIdentityMapper"/>) and starts a
/// <see cref="BrowserSession"/>. Any refusal ends on <c>/login</c> with the reason in words, and no session.
/// </summary>
public static partial class OidcBrowserSignIn
{
    public const string StartPath = "/login/oidc";
    public const string CallbackPrefix = "/signin-oidc";

    /// <summary>How long a started sign-in may take at the provider before its answer is refused as expired.</summary>
    public static readonly TimeSpan FlowLifetime = TimeSpan.FromMinutes(10);

    public static string CallbackPath(string issuer) => $"{CallbackPrefix}/{issuer}";

    internal static AuthenticationBuilder AddOidcBrowserSignIn(this AuthenticationBuilder authentication, IEnumerable<OidcIssuerOptions> issuers)
    {
        foreach (var issuer in issuers.Where(i => i.OffersWebSignIn))
        {
            authentication.AddOpenIdConnect(issuer.WebSchemeName, $"Sign in with {issuer.Name}", options => Configure(options, issuer));
        }

        return authentication;
    }

    /// <summary><c>POST /login/oidc/{provider}</c> (the buttons on <c>/login</c>, with an antiforgery token): off to the provider.</summary>
    public static IEndpointRouteBuilder MapOidcBrowserSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(StartPath + "/{provider}", StartAsync)
            .AllowAnonymous()
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .RequireRateLimiting(GantryAuthentication.TokenEndpointPolicy)
            .ExcludeFromDescription();
        return endpoints;
    }

    // Binding a form field makes the antiforgery check binding: a request without the login page's token is a 400.
    private static async Task StartAsync(
        string provider, [FromForm(Name = "ReturnUrl")] string? returnUrl, HttpContext context, IOptions<AuthOptions> auth, TimeProvider time, ILoggerFactory logging)
    {
        var issuer = auth.Value.Oidc.Issuers.FirstOrDefault(i => i.OffersWebSignIn && string.Equals(i.Name, provider, StringComparison.Ordinal));
        if (issuer is null)
        {
            context.Response.Redirect(LoginWithError(OidcSignInError.UnknownProvider));
            return;
        }

        var properties = new AuthenticationProperties
        {
            RedirectUri = BrowserSession.LocalPath(returnUrl),
            IssuedUtc = time.GetUtcNow(),
        };
        try
        {
            await context.ChallengeAsync(issuer.WebSchemeName, properties);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
            // Discovery failed: the provider is down or misconfigured. Nothing was started.
            var logger = logging.CreateLogger(typeof(OidcBrowserSignIn));
            Log.ProviderUnavailable(logger, issuer.Name, e.Message);
            context.Response.Redirect(LoginWithError(OidcSignInError.Unavailable));
        }
    }

    private static void Configure(OpenIdConnectOptions options, OidcIssuerOptions issuer)
    {
        options.Authority = issuer.Authority;
        options.RequireHttpsMetadata = issuer.RequireHttpsMetadata;
        options.ClientId = issuer.WebClientId;
        options.ClientSecret = issuer.WebClientSecret;
        options.ResponseType = OpenIdConnectResponseType.Code;
        // The answer comes back as a top-level GET, which carries SameSite=Lax cookies; form_post (a cross-site POST) would not.
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        options.UsePkce = true;
        options.CallbackPath = CallbackPath(issuer.Name);
        // Gantry signs out locally only: no provider sign-out endpoints to answer.
        options.SignedOutCallbackPath = PathString.Empty;
        options.RemoteSignOutPath = PathString.Empty;
        options.SignInScheme = BrowserSession.Scheme;
        options.MapInboundClaims = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.SaveTokens = false;
        options.Scope.Clear();
        foreach (var scope in issuer.WebScope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            options.Scope.Add(scope);
        }

        options.RemoteAuthenticationTimeout = FlowLifetime;
        options.ProtocolValidator.NonceLifetime = FlowLifetime;
        // The flow's cookies must come back on the provider's cross-site redirect: Lax, not Strict; sealed by Data Protection.
        foreach (var cookie in new[] { options.CorrelationCookie, options.NonceCookie })
        {
            cookie.SameSite = SameSiteMode.Lax;
            cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.HttpOnly = true;
        }

        // The ID token's audience is the web client; its issuer the configured one, or else the discovery document's.
        options.TokenValidationParameters = GantryAuthentication.Strict(issuer.Issuer, issuer.WebClientId!, GantryAuthentication.ExternalAlgorithms);
        options.Events = new OpenIdConnectEvents
        {
            OnMessageReceived = context => CheckNotExpired(context),
            OnTokenValidated = context => RequireSignature(context),
            OnTicketReceived = context => StartSessionAsync(context, issuer),
            OnAccessDenied = context => Refuse(context, context.HttpContext, OidcSignInError.Provider, issuer, "access_denied"),
            OnRemoteFailure = context => Refuse(context, context.HttpContext, Classify(context), issuer, context.Failure?.Message),
        };
    }

    private static Task CheckNotExpired(MessageReceivedContext context)
    {
        var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        if (context.Properties?.IssuedUtc is { } started && time.GetUtcNow() - started > FlowLifetime)
        {
            context.Fail(new OidcSignInException(OidcSignInError.Expired, "The sign-in was started too long ago."));
        }

        return Task.CompletedTask;
    }

    // The handler lets an ID token from the token endpoint go unsigned (OpenID Connect Core §3.1.3.7 trusts TLS there);
    // Gantry wants it signed by the issuer's key, which the handler then checked against ValidAlgorithms and the JWKS.
    private static Task RequireSignature(TokenValidatedContext context)
    {
        if (context.SecurityToken is not JwtSecurityToken { RawSignature.Length: > 0 } token
            || !GantryAuthentication.ExternalAlgorithms.Contains(token.Header.Alg, StringComparer.Ordinal))
        {
            context.Fail(new OidcSignInException(OidcSignInError.Token, "The ID token is not signed."));
        }

        return Task.CompletedTask;
    }

    private static async Task StartSessionAsync(TicketReceivedContext context, OidcIssuerOptions issuer)
    {
        var http = context.HttpContext;
        var claims = context.Principal!;
        var user = await http.RequestServices.GetRequiredService<ExternalIdentityMapper>().FindOrRecordAsync(http, issuer, claims);
        if (user is null)
        {
            await Refuse(context, http, OidcSignInError.Token, issuer, "The ID token has no subject.");
            return;
        }

        await http.RequestServices.GetRequiredService<BrowserSession>()
            .SignInExternalAsync(http, user, issuer, ExternalIdentityMapper.RuleClaims(claims.Claims, issuer), http.RequestAborted);
        var logger = Logger(http);
        Log.SignedIn(logger, issuer.Name, user.Username);
        await http.RequestServices.GetRequiredService<AuditLog>().RecordEventAsync(http, user.Id, user.Username, nameof(PrincipalKind.External),
            AuditActions.Login, AuditOutcomes.Success, target: user.Id, detail: $"web sign-in through issuer {issuer.Name}");
        context.HandleResponse();
        await WriteHopAsync(http.Response, BrowserSession.LocalPath(context.ReturnUri));
    }

    /// <summary>
    /// The callback is the end of a cross-site navigation, so a SameSite=Strict cookie set here would not go with a
    /// redirect from here (the chain is still cross-site). A page of this site that moves on by itself starts a new,
    /// same-site navigation, which carries the session cookie.
    /// </summary>
    private static Task WriteHopAsync(HttpResponse response, string target)
    {
        var encoded = HtmlEncoder.Default.Encode(target);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        // The callback's address holds the (spent) code: keep it out of the next request's Referer.
        response.Headers["Referrer-Policy"] = "no-referrer";
        return response.WriteAsync($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={encoded}"><title>Signing in · Gantry</title></head>
            <body><main><p>Signed in. <a href="{encoded}">Continue to Gantry</a>.</p></main></body></html>
            """, response.HttpContext.RequestAborted);
    }

    private static async Task Refuse(HandleRequestContext<RemoteAuthenticationOptions> context, HttpContext http, string error, OidcIssuerOptions issuer, string? reason)
    {
        var logger = Logger(http);
        Log.Refused(logger, issuer.Name, error, reason);
        context.HandleResponse();
        var detail = error == OidcSignInError.Provider ? ProviderError(http.Request) : null;
        await http.RequestServices.GetRequiredService<AuditLog>().RecordEventAsync(http, null, null, nameof(PrincipalKind.External),
            AuditActions.Login, AuditOutcomes.Failure, detail: $"web sign-in through issuer {issuer.Name}: {error}{(detail is null ? "" : $" ({detail})")}");
        http.Response.Redirect(LoginWithError(error, detail));
    }

    private static string Classify(RemoteFailureContext context) => context.Failure switch
    {
        OidcSignInException known => known.Error,
        // The provider's own error parameter: only looked at after the state and its cookie were checked.
        OpenIdConnectProtocolException when context.Request.Query.ContainsKey("error") => OidcSignInError.Provider,
        { Message: "Correlation failed." } when context.Properties?.IssuedUtc is { } started
            && context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow() - started > FlowLifetime => OidcSignInError.Expired,
        { Message: "Correlation failed." } => OidcSignInError.State,
        _ when context.Properties is null => OidcSignInError.State,
        _ => OidcSignInError.Token,
    };

    // An OAuth error code is a short token of letters and underscores (RFC 6749 §4.1.2.1); anything else is not shown.
    private static string? ProviderError(HttpRequest request) =>
        request.Query["error"].FirstOrDefault() is { Length: > 0 and <= 64 } code && code.All(c => char.IsAsciiLetterLower(c) || c == '_') ? code : null;

    private static string LoginWithError(string error, string? detail = null) =>
        $"{BrowserSession.LoginPath}?error={error}{(detail is null ? string.Empty : $"&detail={detail}")}";

    private static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcBrowserSignIn));

    private static partial class Log
    {
        [LoggerMessage(EventId = 3411, Level = LogLevel.Information, Message = "Browser sign-in of {Username} through issuer {Issuer}")]
        public static partial void SignedIn(ILogger logger, string issuer, string username);

        [LoggerMessage(EventId = 3412, Level = LogLevel.Warning, Message = "Browser sign-in through issuer {Issuer} refused ({Error}): {Reason}")]
        public static partial void Refused(ILogger logger, string issuer, string error, string? reason);

        [LoggerMessage(EventId = 3413, Level = LogLevel.Warning, Message = "Browser sign-in through issuer {Issuer} could not start: {Reason}")]
        public static partial void ProviderUnavailable(ILogger logger, string issuer, string reason);
    }
}

/// <summary>Why a browser sign-in through a provider was refused: the <c>error</c> of <c>/login</c>, and its words.</summary>
public static class OidcSignInError
{
    public const string Provider = "provider";
    public const string State = "state";
    public const string Expired = "expired";
    public const string Token = "token";
    public const string Unavailable = "unavailable";
    public const string UnknownProvider = "unknown-provider";

    public static string? Describe(string? error, string? detail) => error switch
    {
        Provider => $"The identity provider did not sign you in{(detail is null ? "" : $" ({detail})")}. Nothing was changed; try again.",
        State => "The answer from the identity provider did not belong to a sign-in started here (its state did not match). Start again from this page.",
        Expired => "The sign-in took too long and expired. Start again from this page.",
        Token => "The identity provider's answer could not be verified, so you were not signed in. Try again, or ask an administrator.",
        Unavailable => "The identity provider could not be reached. Try again later, or sign in with a Gantry password.",
        UnknownProvider => "That identity provider is not configured here.",
        _ => null,
    };
}

/// <summary>A refusal Gantry itself decided during the flow, with its <see cref="OidcSignInError"/> code.</summary>
public sealed class OidcSignInException(string error, string message) : Exception(message)
{
    public string Error { get; } = error;
}
