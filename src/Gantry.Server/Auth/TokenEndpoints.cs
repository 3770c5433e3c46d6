using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gantry.Core.Identity;
using Gantry.Data.Users;
using Gantry.Server.Audit;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Auth;

/// <summary>The fields of a token request, from the OAuth 2.0 form encoding or the same names in JSON.</summary>
public sealed record TokenRequest(
    [property: JsonPropertyName("grant_type")] string? GrantType,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken);

/// <summary>RFC 7009 revocation request: <c>token</c> is a refresh token.</summary>
public sealed record RevokeRequest([property: JsonPropertyName("token")] string? Token);

/// <summary>The OAuth 2.0 error response (RFC 6749 §5.2).</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description);

public sealed record WhoAmIResponse(string Id, string Name, string Kind, bool IsPlatformAdmin, IReadOnlyDictionary<string, string> Tenants);

/// <summary><c>/api/v1/auth</c>: the token endpoint (password and refresh_token grants), revocation, and who-am-I.</summary>
public static class TokenEndpoints
{
    private const string InvalidLogin = "The username or password is wrong.";
    private const string InvalidRefresh = "The refresh token is invalid, expired, revoked or already used.";

    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/auth").WithTags("Auth");
        group.MapPost("/token", IssueAsync)
            .DescribesBody<TokenRequest, RouteHandlerBuilder>("application/x-www-form-urlencoded")
            .AllowAnonymous()
            .RequireRateLimiting(GantryAuthentication.TokenEndpointPolicy)
            .AnswersProblems(StatusCodes.Status429TooManyRequests)
            .WithName("IssueToken")
            .WithSummary("Exchanges a username and password, or a refresh token, for an access token (OAuth 2.0, form or JSON).");
        group.MapPost("/revoke", RevokeAsync)
            .DescribesBody<RevokeRequest, RouteHandlerBuilder>("application/x-www-form-urlencoded")
            .AllowAnonymous()
            .RequireRateLimiting(GantryAuthentication.TokenEndpointPolicy)
            .AnswersProblems(StatusCodes.Status429TooManyRequests)
            .WithName("RevokeToken")
            .WithSummary("Revokes a refresh token and every token refreshed from the same login (RFC 7009).");
        group.MapGet("/me", WhoAmI)
            .RequireAuthorization()
            .WithName("WhoAmI")
            .WithSummary("The calling principal: id, kind, platform administration and tenant roles.");
        return endpoints;
    }

    internal static async Task<Results<Ok<TokenResponse>, BadRequest<OAuthError>, ProblemHttpResult>> IssueAsync(
        HttpContext context, TokenService tokens, PasswordSignIn signIn, UserRepository users, AuditLog audit,
        CancellationToken cancellationToken)
    {
        // RFC 6749 §5.1: token responses must not be cached.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var request = await ReadAsync<TokenRequest>(context.Request, form => new TokenRequest(form["grant_type"], form["username"], form["password"], form["refresh_token"]), cancellationToken);
        return request?.GrantType switch
        {
            null => TypedResults.BadRequest(new OAuthError("invalid_request", "Send grant_type, as a form (application/x-www-form-urlencoded) or as JSON.")),
            "password" => await PasswordGrantAsync(context, request, tokens, signIn, cancellationToken),
            "refresh_token" => await RefreshGrantAsync(context, request, tokens, users, audit, cancellationToken),
            _ => TypedResults.BadRequest(new OAuthError("unsupported_grant_type", "Use grant_type password or refresh_token.")),
        };
    }

    private static async Task<Results<Ok<TokenResponse>, BadRequest<OAuthError>, ProblemHttpResult>> PasswordGrantAsync(
        HttpContext context, TokenRequest request, TokenService tokens, PasswordSignIn signIn, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password)
            || request.Username.Length > 256 || request.Password.Length > PasswordPolicy.MaxLength * 4)
        {
            return TypedResults.BadRequest(new OAuthError("invalid_request", "The password grant needs username and password."));
        }

        var result = await signIn.VerifyAsync(context, request.Username, request.Password, cancellationToken);
        if (result.RetryAfter is { } retryAfter)
        {
            return TooManyRequests(context, retryAfter);
        }

        if (result.User is not { } user)
        {
            return TypedResults.BadRequest(new OAuthError("invalid_grant", InvalidLogin));
        }

        return TypedResults.Ok(await tokens.IssueAsync(user, familyId: null, cancellationToken));
    }

    private static async Task<Results<Ok<TokenResponse>, BadRequest<OAuthError>, ProblemHttpResult>> RefreshGrantAsync(
        HttpContext context, TokenRequest request, TokenService tokens, UserRepository users, AuditLog audit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken) || request.RefreshToken.Length > 256)
        {
            return TypedResults.BadRequest(new OAuthError("invalid_request", "The refresh_token grant needs refresh_token."));
        }

        var (outcome, token) = await tokens.ConsumeAsync(request.RefreshToken, cancellationToken);
        var user = outcome == RefreshOutcome.Refreshed ? await users.FindByIdAsync(token!.UserId, cancellationToken) : null;
        if (user is null)
        {
            await audit.RecordEventAsync(context, token?.UserId, null, nameof(PrincipalKind.User), AuditActions.Refresh, AuditOutcomes.Failure,
                detail: outcome == RefreshOutcome.Reused ? "reused: every token of this login is revoked" : outcome.ToString().ToLowerInvariant());
            return TypedResults.BadRequest(new OAuthError("invalid_grant", InvalidRefresh));
        }

        var response = await tokens.IssueAsync(user, token!.FamilyId, cancellationToken);
        await audit.RecordEventAsync(context, user.Id, user.Username, nameof(PrincipalKind.User), AuditActions.Refresh, AuditOutcomes.Success, target: user.Id);
        return TypedResults.Ok(response);
    }

    internal static async Task<Results<Ok, BadRequest<OAuthError>>> RevokeAsync(
        HttpContext context, TokenService tokens, AuditLog audit, CancellationToken cancellationToken)
    {
        var request = await ReadAsync<RevokeRequest>(context.Request, form => new RevokeRequest(form["token"]), cancellationToken);
        if (string.IsNullOrEmpty(request?.Token) || request.Token.Length > 256)
        {
            return TypedResults.BadRequest(new OAuthError("invalid_request", "Send token."));
        }

        // RFC 7009 §2.2: an unknown token is answered 200 too, so the endpoint tells nothing about which tokens exist.
        if (await tokens.RevokeAsync(request.Token, cancellationToken) is { } revoked)
        {
            await audit.RecordEventAsync(context, revoked.UserId, null, nameof(PrincipalKind.User), AuditActions.Revoke, AuditOutcomes.Success, target: revoked.UserId);
        }

        return TypedResults.Ok();
    }

    internal static Ok<WhoAmIResponse> WhoAmI(ClaimsPrincipal user)
    {
        var principal = user.ToPrincipal();
        return TypedResults.Ok(new WhoAmIResponse(
            principal.Id, principal.Name, principal.Kind.ToString(), principal.IsPlatformAdmin,
            principal.Memberships.ToDictionary(m => m.Key, m => m.Value.ToName(), StringComparer.Ordinal)));
    }

    private static ProblemHttpResult TooManyRequests(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
            detail: "Too many failed logins for this username from this address. Wait for the time in Retry-After, then try again.");
    }

    private static async Task<T?> ReadAsync<T>(HttpRequest request, Func<IFormCollection, T> fromForm, CancellationToken cancellationToken)
        where T : class
    {
        if (request.HasFormContentType)
        {
            try
            {
                return fromForm(await request.ReadFormAsync(cancellationToken));
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                // A multipart body without its boundaries ("Unexpected end of Stream" is an IOException), or a form past
                // FormOptions' limits: not a readable request, answered as one without a body.
                return null;
            }
        }

        if (!request.HasJsonContentType())
        {
            return null;
        }

        try
        {
            return await request.ReadFromJsonAsync<T>(cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
