using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
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
            VersionNotResolvedException unresolved => new ProblemDetails
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Title = "No version matches the constraint.",
                Detail = unresolved.Message,
                Extensions = { ["constraint"] = unresolved.Constraint, ["tags_seen"] = unresolved.TagsSeen },
            },
            TagSourceException source => new ProblemDetails
            {
                Status = source.InnerException is TaskCanceledException or TimeoutException
                    ? StatusCodes.Status504GatewayTimeout
                    : StatusCodes.Status502BadGateway,
                Title = "The registry or chart repository did not answer as expected.",
                Detail = source.Message,
            },
            InstanceNotFoundException notFound => new ProblemDetails
            {
                Status = StatusCodes.Status404NotFound,
                Title = "Not found.",
                Detail = notFound.Message,
            },
            PreconditionFailedException precondition => new ProblemDetails
            {
                Status = StatusCodes.Status412PreconditionFailed,
                Title = "The resource has changed.",
                Detail = precondition.Message + " Read it again and retry with its current ETag.",
            },
            ChangeConflictException conflict => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Another change got there first.",
                Detail = conflict.Message,
            },
            OfferingMissingException missing => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "The catalog no longer has an offering this tenant uses.",
                Detail = missing.Message,
            },
            StateStoreException store => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The change could not be made durable.",
                Detail = store.Message,
            },
            BadHttpRequestException badRequest => new ProblemDetails
            {
                Status = badRequest.StatusCode,
                Title = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request is malformed.",
                Detail = badRequest.Message,
            },
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
        public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);
    }
}
