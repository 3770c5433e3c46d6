using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Gantry.Server.Errors;

/// <summary>
/// The words for an answer that has only a status code: a route that does not exist, a method a route does not take,
/// a missing sign-in, a limit Gantry enforces. A problem that already says more keeps what it says.
/// </summary>
internal static class ProblemTexts
{
    private const string Rfc9110 = "https://www.rfc-editor.org/rfc/rfc9110#section-";

    public static void Complete(ProblemDetails problem, HttpContext context)
    {
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        problem.Type ??= TypeOf(status);
        if (string.IsNullOrEmpty(problem.Title) || problem.Title == ReasonPhrases.GetReasonPhrase(status))
        {
            problem.Title = TitleOf(status);
        }

        problem.Detail ??= DetailOf(status, context);
    }

    private static string TypeOf(int status) => status switch
    {
        400 => Rfc9110 + "15.5.1",
        401 => Rfc9110 + "15.5.2",
        403 => Rfc9110 + "15.5.4",
        404 => Rfc9110 + "15.5.5",
        405 => Rfc9110 + "15.5.6",
        406 => Rfc9110 + "15.5.7",
        409 => Rfc9110 + "15.5.10",
        412 => Rfc9110 + "15.5.13",
        413 => Rfc9110 + "15.5.14",
        414 => Rfc9110 + "15.5.15",
        415 => Rfc9110 + "15.5.16",
        422 => Rfc9110 + "15.5.21",
        428 => "https://www.rfc-editor.org/rfc/rfc6585#section-3",
        429 => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
        431 => "https://www.rfc-editor.org/rfc/rfc6585#section-5",
        500 => Rfc9110 + "15.6.1",
        502 => Rfc9110 + "15.6.3",
        503 => Rfc9110 + "15.6.4",
        504 => Rfc9110 + "15.6.5",
        _ => "about:blank",
    };

    private static string TitleOf(int status) => status switch
    {
        400 => "The request is malformed.",
        401 => "Sign-in required.",
        403 => "Forbidden.",
        404 => "Not found.",
        405 => "This method is not allowed here.",
        406 => "No acceptable representation.",
        409 => "Conflict.",
        413 => "The request body is too large.",
        414 => "The URL is too long.",
        415 => "The body's media type is not supported.",
        429 => "Too many requests.",
        431 => "The request headers are too large.",
        500 => "The server failed unexpectedly.",
        503 => "The service is unavailable.",
        _ => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "The request failed.",
    };

    private static string DetailOf(int status, HttpContext context)
    {
        var request = context.Request;
        return status switch
        {
            400 => "The request could not be read. Check it against the API reference at /openapi/v1.json.",
            401 => "Send 'Authorization: Bearer <token>' with an access token from POST /api/v1/auth/token, or an API key. "
                + "A token that is expired, revoked, not yet valid or not issued for this server is refused.",
            403 => "Your roles do not allow this. Ask an admin of the tenant (or a platform admin) for the role it needs.",
            404 => $"Nothing is at {request.Path}. The API reference at /openapi/v1.json lists every route.",
            405 => context.Response.Headers.Allow is { Count: > 0 } allow
                ? $"{request.Method} is not allowed on {request.Path}; it answers {string.Join(", ", allow.ToArray())}."
                : $"{request.Method} is not allowed on {request.Path}.",
            406 => "Ask for application/json (the default), or leave the Accept header out.",
            413 => "Send a smaller body; Gantry:MaxRequestBodyBytes sets the largest accepted.",
            415 => $"Send the body as application/json (it came as '{request.ContentType}').",
            429 => "Wait for the time in Retry-After, then try again.",
            500 => "The server could not complete the request. The error is in the server log under this problem's traceId; nothing of it is shown here.",
            503 => "Try again shortly; the server is starting, stopping or cannot reach a backend.",
            _ => "See the API reference at /openapi/v1.json.",
        };
    }
}
