using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Server.Environments;
using Gantry.Server.ChangeRequests;
using Gantry.Server.Instances;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Gantry.Server.Errors;

/// <summary>
/// Maps domain exceptions to RFC 9457 problem details. Anything it does not know falls through to the
/// framework's generic 500 problem, which carries no exception text or stack trace.
/// </summary>
internal sealed partial class GantryExceptionHandler(IProblemDetailsService problems, ILogger<GantryExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            ValidationFailedException validation => new HttpValidationProblemDetails(validation.Errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is not valid.",
                Detail = "See errors for each field that needs fixing.",
            },
            VersionNotResolvedException { Service: { } service } unresolved => Problem(StatusCodes.Status422UnprocessableEntity,
                "No version matches the constraint.", $"{service}: {unresolved.Message}",
                ("service", service), ("constraint", unresolved.Constraint), ("tags_seen", unresolved.TagsSeen)),
            VersionNotResolvedException unresolved => Problem(StatusCodes.Status422UnprocessableEntity, "No version matches the constraint.", unresolved.Message,
                ("constraint", unresolved.Constraint), ("tags_seen", unresolved.TagsSeen)),
            EnvironmentNotFoundException notFound => Problem(StatusCodes.Status404NotFound, "Not found.", notFound.Message),
            EnvironmentConflictException { ChangeRequestLink: { } link } conflict => Problem(StatusCodes.Status409Conflict,
                "The environment cannot be changed this way.", conflict.Message, ("change_request", link)),
            EnvironmentConflictException conflict => Problem(StatusCodes.Status409Conflict, "The environment cannot be changed this way.", conflict.Message),
            TagSourceException source => Problem(
                source.InnerException is TaskCanceledException or TimeoutException ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                "The registry or chart repository did not answer as expected.", source.Message),
            AccessRefusedException { Decision: Core.Identity.AccessDecision.Forbidden } refused => Problem(StatusCodes.Status403Forbidden, "Forbidden.", refused.Message),
            AccessRefusedException refused => Problem(StatusCodes.Status404NotFound, "Not found.", refused.Message),
            ChangeRequestDecidedException decided => Problem(StatusCodes.Status409Conflict, "The change request is already decided.", decided.Message,
                ("status", decided.Status)),
            InstanceNotFoundException notFound => Problem(StatusCodes.Status404NotFound, "Not found.", notFound.Message),
            PreconditionFailedException precondition => Problem(StatusCodes.Status412PreconditionFailed, "The resource has changed.",
                precondition.Message + " Read it again and retry with its current ETag."),
            ChangeConflictException conflict => Problem(StatusCodes.Status409Conflict, "Another change got there first.", conflict.Message),
            OfferingMissingException missing => Problem(StatusCodes.Status409Conflict, "The catalog no longer has an offering this tenant uses.", missing.Message),
            SealingKeyMissingException noKey => Problem(StatusCodes.Status409Conflict, "The tenant cannot seal secrets yet.", noKey.Message),
            StateStoreException store => Problem(StatusCodes.Status503ServiceUnavailable, "The change could not be made durable.", store.Message),
            BadHttpRequestException badRequest => Problem(badRequest.StatusCode,
                badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request is malformed.", badRequest.Message),
            _ => null,
        };

        if (problem is null)
        {
            Log.Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            return false;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        if (exception is PreconditionFailedException { CurrentRevision: { } current })
        {
            httpContext.Response.Headers.ETag = ETags.From(current);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails Problem(int status, string title, string detail, params (string Key, object? Value)[] extensions)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions)
        {
            problem.Extensions[key] = value;
        }

        return problem;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
        public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);
    }
}
