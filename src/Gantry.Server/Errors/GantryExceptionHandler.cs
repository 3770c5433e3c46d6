using Gantry.Core.State;
using Gantry.Core.Buckets;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Server.Environments;
using Gantry.Server.ChangeRequests;
using Gantry.Server.Instances;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Errors;

/// <summary>
/// Maps domain exceptions to RFC 9457 problem details. Anything it does not know is a 500 problem that shows no
/// exception text or stack trace: the exception is logged once here with the trace id the answer carries, and
/// counted in <see cref="ErrorMetrics"/>.
/// </summary>
internal sealed partial class GantryExceptionHandler(
    IProblemDetailsService problems, ErrorMetrics metrics, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<GantryExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            BadHttpRequestException { InnerException: JsonException binding } => BindingProblem(httpContext, binding),
            BadHttpRequestException badRequest => Problem(badRequest.StatusCode,
                badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request is malformed.",
                BadRequestDetail(badRequest)),
            _ => Describe(exception),
        };

        if (problem is null)
        {
            var traceId = System.Diagnostics.Activity.Current?.Id ?? httpContext.TraceIdentifier;
            Log.Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path, traceId);
            metrics.Unhandled((FailedEndpoint(httpContext) as RouteEndpoint)?.RoutePattern.RawText ?? "(none)");
            problem = new ProblemDetails { Status = StatusCodes.Status500InternalServerError };
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        // A 412's ETag is set by PreconditionFailedFilter: this middleware's answers lose their cache headers.
        if (exception is StateStoreException or BucketUnavailableException || IsDatabaseUnavailable(exception))
        {
            // Nothing was acknowledged (the remote is unreachable or kept refusing): the same request may be sent again.
            httpContext.Response.Headers.RetryAfter = StateStoreRetryAfterSeconds;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>Seconds a client waits before sending again a change the state store could not make durable (503).</summary>
    internal const string StateStoreRetryAfterSeconds = "5";

    /// <summary>
    /// The problem a domain exception is answered with, or null for one Gantry does not know (a bug: answered 500).
    /// The web UI shows the same words beside its fields that the API sends.
    /// </summary>
    internal static ProblemDetails? Describe(Exception exception) => exception switch
    {
        ValidationFailedException validation => new HttpValidationProblemDetails(validation.Errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
            Detail = Summary(validation.Errors),
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
        InstanceExistsException exists => Problem(StatusCodes.Status412PreconditionFailed, "The instance exists.", exists.Message),
        ChangeConflictException conflict => Problem(StatusCodes.Status409Conflict, "Another change got there first.", conflict.Message),
        OfferingMissingException missing => Problem(StatusCodes.Status409Conflict, "The catalog no longer has an offering this tenant uses.", missing.Message),
        SealingKeyMissingException noKey => Problem(StatusCodes.Status409Conflict, "The tenant cannot seal secrets yet.", noKey.Message),
        StateStoreException store => Problem(StatusCodes.Status503ServiceUnavailable, "The change could not be made durable.", store.Message),
        BucketUnavailableException bucket => Problem(StatusCodes.Status503ServiceUnavailable, "The environments bucket is unavailable.",
            bucket.Message + " The request was not completed; send it again after the time in Retry-After.", ("bucket", bucket.Bucket)),
        _ when IsDatabaseUnavailable(exception) => Problem(StatusCodes.Status503ServiceUnavailable, "The database is unavailable.",
            "The metadata database could not be reached or is restarting; try again after the time in Retry-After."),
        JsonInputException input => BodyProblem(input.Message, input.Field),
        Rollouts.RolloutStateException rollout => Problem(StatusCodes.Status409Conflict, "The rollout cannot do that now.", rollout.Message, ("state", rollout.State)),
        _ => null,
    };

    /// <summary>
    /// The database went away (restart, failover, network): a connection error (SQLSTATE class 08), an operator
    /// intervention such as a shutdown (57P), or what the driver calls transient. Not a constraint violation or a bug.
    /// </summary>
    private static bool IsDatabaseUnavailable(Exception exception) =>
        exception is System.Data.Common.DbException db
        && (db.IsTransient || db.SqlState?.StartsWith("08", StringComparison.Ordinal) == true || db.SqlState?.StartsWith("57P", StringComparison.Ordinal) == true);

    // The exception handler middleware clears the endpoint before handlers run; its feature keeps the one that failed.
    private static Endpoint? FailedEndpoint(HttpContext context) => context.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? context.GetEndpoint();

    private static string Summary(IDictionary<string, string[]> errors)
    {
        var named = errors.Take(3).Select(e => $"{e.Key} {string.Join("; ", e.Value)}");
        var more = errors.Count > 3 ? $"; and {errors.Count - 3} more" : "";
        return $"Fix {string.Join("; ", named)}{more}. errors names each field.";
    }

    private static HttpValidationProblemDetails BodyProblem(string detail, string? field) =>
        new(field is null ? new Dictionary<string, string[]>() : new Dictionary<string, string[]> { [field] = [detail] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body is not acceptable JSON.",
            Detail = detail,
        };

    // The binder's JsonException names CLR types; the field and what it must hold are said from the body's type instead.
    private HttpValidationProblemDetails BindingProblem(HttpContext context, JsonException binding)
    {
        var bodyType = FailedEndpoint(context)?.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()
            .LastOrDefault(a => a.RequestType is not null)?.RequestType;
        var field = JsonFieldDescriber.FieldName(binding.Path);
        var position = binding.LineNumber is { } line ? $" (line {line + 1}, byte {(binding.BytePositionInLine ?? 0) + 1})" : "";
        var detail = field is null
            ? $"The body does not have the shape this operation takes{position}; see its request body in /openapi/v1.json."
            : JsonFieldDescriber.Describe(bodyType, binding.Path, json.Value.SerializerOptions) is { } what
                ? $"'{field}' must be {what}{position}."
                : $"'{field}' does not have the shape this operation takes{position}; see its request body in /openapi/v1.json.";
        var problem = BodyProblem(detail, field);
        problem.Title = "The request body does not fit the operation.";
        return problem;
    }

    private static string BadRequestDetail(BadHttpRequestException badRequest) => badRequest.Message switch
    {
        var m when m.StartsWith("Implicit body inferred", StringComparison.Ordinal) || m.StartsWith("Required parameter", StringComparison.Ordinal)
            && m.Contains("body", StringComparison.Ordinal) => "This operation needs a JSON body; send one with Content-Type: application/json.",
        var m => m,
    };

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
        [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path} (trace id {TraceId})")]
        public static partial void Unhandled(ILogger logger, Exception exception, string method, string path, string traceId);
    }
}
