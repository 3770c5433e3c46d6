using Gantry.Server.Instances;

namespace Gantry.Server.Errors;

/// <summary>
/// Answers a failed <c>If-Match</c> (412) with the current revision's ETag, so a client can read again and retry.
/// It is an endpoint filter because the exception-handler middleware clears ETag and other cache headers from every
/// answer it writes; the problem itself is the one <see cref="GantryExceptionHandler"/> describes.
/// </summary>
internal sealed class PreconditionFailedFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (PreconditionFailedException failed) when (failed.CurrentRevision is { } current)
        {
            context.HttpContext.Response.Headers.ETag = ETags.From(current);
            return TypedResults.Problem(GantryExceptionHandler.Describe(failed)!);
        }
    }
}
