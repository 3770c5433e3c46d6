using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Hosting;

/// <summary>
/// Refuses a body larger than <see cref="GantryOptions.MaxRequestBodyBytes"/> with 413 before anything reads it.
/// Kestrel enforces the same limit on the stream; this answers at once from Content-Length, and holds behind any
/// server (a proxy, the test host) that does not enforce it.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<GantryOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
