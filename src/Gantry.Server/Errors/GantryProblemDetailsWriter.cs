using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Errors;

/// <summary>
/// Writes every problem Gantry answers — from handlers, the exception handler and the status code pages alike — as
/// <c>application/problem+json</c> whatever the request's Accept header says (the framework's writer falls back to
/// plain text for an Accept it does not match), after <see cref="ProblemTexts.Complete"/> has made sure it has a type,
/// a title in words, a detail that says what to change and the trace id.
/// </summary>
internal sealed class GantryProblemDetailsWriter(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        ProblemTexts.Complete(problem, http);
        problem.Extensions["traceId"] = Activity.Current?.Id ?? http.TraceIdentifier;
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, ContentType, http.RequestAborted));
    }
}
