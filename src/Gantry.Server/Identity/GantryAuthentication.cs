using System.Threading.RateLimiting;
using Gantry.Server.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Identity;

/// <summary>
/// Authentication (Gantry JWT, API keys, external OIDC issuers behind one policy scheme), the authorizer,
/// token issuing and the login rate limits.
/// </summary>
public static class GantryAuthentication
{
    /// <summary>The default scheme: picks the real one from the bearer token.</summary>
    public const string PolicyScheme = "Gantry";

    public const string GantryJwtScheme = "GantryJwt";

    /// <summary>The ASP.NET Core rate limiter policy on the token endpoint, partitioned by client address.</summary>
    public const string TokenEndpointPolicy = "token-endpoint";

    // Asymmetric algorithms only: an HMAC "signed" with a public key, or "none", never gets near a key.
    internal static readonly string[] ExternalAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static IServiceCollection AddGantryIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<IAuthorizer, Authorizer>();
        services.TryAddSingleton<SigningKeyStore>();
        services.TryAddSingleton<UserPrincipalLoader>();
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<PasswordLogin>();
        services.TryAddSingleton<LoginThrottle>();
        services.TryAddSingleton<PasswordSignIn>();
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton<ExternalIdentityMapper>();

        var issuers = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>()?.Oidc.Issuers ?? [];
        var authentication = services.AddAuthentication(PolicyScheme)
            .AddPolicyScheme(PolicyScheme, "Gantry bearer token", options => options.ForwardDefaultSelector = context => SelectScheme(context, issuers))
            .AddJwtBearer(GantryJwtScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(BrowserSession.Scheme);
        services.TryAddSingleton<BrowserSession>();
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(BrowserSession.Scheme)
            .Configure<BrowserSession>((options, session) => session.Configure(options));
        services.TryAddSingleton<CachingJsonWebTokenHandler>();
        services.AddOptions<JwtBearerOptions>(GantryJwtScheme)
            .Configure<SigningKeyStore, IOptions<AuthOptions>, CachingJsonWebTokenHandler>(ConfigureGantryJwt);

        foreach (var issuer in issuers)
        {
            authentication.AddJwtBearer(issuer.SchemeName, options => ConfigureExternalJwt(options, issuer));
        }

        authentication.AddOidcBrowserSignIn(issuers);

        services.AddAuthorization();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(TokenEndpointPolicy, context =>
            {
                var throttle = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.Throttle;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = throttle.RequestsPerClient,
                    Window = TimeSpan.FromSeconds(throttle.WindowSeconds),
                    QueueLimit = 0,
                });
            });
            options.OnRejected = (context, _) => WriteTooManyRequestsAsync(
                context.HttpContext, context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1));
        });
        return services;
    }

    /// <summary>429 with <c>Retry-After</c> (whole seconds, rounded up) as a problem document.</summary>
    public static async ValueTask WriteTooManyRequestsAsync(HttpContext context, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests.", Detail = "Wait for the time in Retry-After, then try again." },
        });
    }

    // Which scheme validates this request: API keys by their prefix, JWTs by their (not yet trusted) issuer, the web
    // UI's session cookie when there is no bearer token. A token from an issuer nobody configured goes to Gantry's own
    // validator, which rejects it for its issuer.
    private static string SelectScheme(HttpContext context, List<OidcIssuerOptions> issuers)
    {
        var token = ApiKeyAuthenticationHandler.BearerToken(context.Request);
        if (token is null)
        {
            return BrowserSession.MayAuthenticate(context.Request) ? BrowserSession.Scheme : GantryJwtScheme;
        }

        if (token.StartsWith(Secrets.Prefix, StringComparison.Ordinal))
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        if (issuers.Count > 0 && TryReadIssuer(token) is { } iss)
        {
            var match = issuers.FirstOrDefault(i => string.Equals(i.ExpectedIssuer, iss.TrimEnd('/'), StringComparison.Ordinal));
            if (match is not null)
            {
                return match.SchemeName;
            }
        }

        return GantryJwtScheme;
    }

    private static string? TryReadIssuer(string token)
    {
        try
        {
            return new JsonWebTokenHandler().CanReadToken(token) ? new JsonWebToken(token).Issuer : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static void ConfigureGantryJwt(JwtBearerOptions options, SigningKeyStore keys, IOptions<AuthOptions> auth, CachingJsonWebTokenHandler handler)
    {
        // Gantry's own tokens only: validated once per token, then remembered until they expire.
        handler.MapInboundClaims = false;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(handler);
        options.MapInboundClaims = false;
        options.TokenValidationParameters = Strict(auth.Value.Issuer, auth.Value.Audience, [SigningKeyStore.Algorithm]);
        options.TokenValidationParameters.IssuerSigningKeyResolver = (_, _, keyId, _) => keys.Resolve(keyId);
        options.TokenValidationParameters.ValidTypes = [SigningKeyStore.AccessTokenType];
        options.Events = new JwtBearerEvents
        {
            // The token says who; the database says what they may do now (a removed member or user loses access at once).
            OnTokenValidated = async context =>
            {
                var loader = context.HttpContext.RequestServices.GetRequiredService<UserPrincipalLoader>();
                var subject = context.Principal?.FindFirst(GantryClaims.Subject)?.Value;
                var principal = subject is null ? null : await loader.LoadAsync(subject, Core.Identity.PrincipalKind.User, context.HttpContext.RequestAborted);
                if (principal is null)
                {
                    context.Fail("The token's user no longer exists.");
                    return;
                }

                if (context.Principal?.FindFirst(GantryClaims.Login)?.Value is { } login
                    && await loader.IsLoginRevokedAsync(login, context.HttpContext.RequestAborted))
                {
                    context.Fail("The token's login was revoked.");
                    return;
                }

                context.Principal = new System.Security.Claims.ClaimsPrincipal(GantryClaims.CreateIdentity(principal));
            },
        };
    }

    /// <summary>Issuer, audience, lifetime (30 s skew), signature and an algorithm allow-list: nothing optional.</summary>
    internal static TokenValidationParameters Strict(string? issuer, string audience, string[] algorithms) => new()
    {
        ValidIssuer = issuer,
        ValidAudience = audience,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidAlgorithms = algorithms,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    private static void ConfigureExternalJwt(JwtBearerOptions options, OidcIssuerOptions issuer)
    {
        options.Authority = issuer.Authority;
        options.Audience = issuer.Audience;
        options.RequireHttpsMetadata = issuer.RequireHttpsMetadata;
        options.MapInboundClaims = false;
        // A null issuer means "the one the discovery document names".
        options.TokenValidationParameters = Strict(issuer.Issuer, issuer.Audience, ExternalAlgorithms);
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context => context.HttpContext.RequestServices.GetRequiredService<ExternalIdentityMapper>().MapAsync(context, issuer),
        };
    }
}
