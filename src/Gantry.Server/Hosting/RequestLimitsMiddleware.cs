using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Hosting;

/// <summary>
/// Gantry's own limits on a request's size, answered as problem documents. Kestrel refuses what exceeds its limits
/// with a bare status and no body before any middleware runs, so its limits are set to
/// <see cref="KestrelHeadroom"/> times Gantry's and these lower ones are enforced here: the URL
/// (<see cref="GantryOptions.MaxUrlBytes"/>, 414), the headers (<see cref="GantryOptions.MaxRequestHeadersBytes"/>,
/// 431), the body (<see cref="GantryOptions.MaxRequestBodyBytes"/>, 413, at once from Content-Length and on the stream).
/// A control character such as a decoded <c>%00</c> in the path is refused here too, before routing binds it to a name.
/// </summary>
internal sealed class RequestLimitsMiddleware(RequestDelegate next, IOptions<GantryOptions> options, IProblemDetailsService problems)
{
    /// <summary>How many times Gantry's limit Kestrel's is: a request between the two gets a problem, one beyond gets Kestrel's bare answer.</summary>
    public const int KestrelHeadroom = 4;

    public async Task InvokeAsync(HttpContext context)
    {
        var limits = options.Value;
        var request = context.Request;
        var urlBytes = request.Path.Value?.Length + request.PathBase.Value?.Length + request.QueryString.Value?.Length ?? 0;
        if (urlBytes > limits.MaxUrlBytes)
        {
            await RefuseAsync(context, StatusCodes.Status414UriTooLong, "The URL is too long.",
                $"The URL has {urlBytes} characters; the most accepted is {limits.MaxUrlBytes}. Send long input in a body instead.");
            return;
        }

        var headerBytes = request.Headers.Sum(h => h.Key.Length + 4 + h.Value.Sum(v => v?.Length ?? 0));
        if (headerBytes > limits.MaxRequestHeadersBytes)
        {
            await RefuseAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "The request headers are too large.",
                $"The headers take {headerBytes} bytes; the most accepted is {limits.MaxRequestHeadersBytes}. Send fewer or shorter headers (large cookies are the usual cause).");
            return;
        }

        if (request.Path.Value is { } path && path.Any(char.IsControl))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "The path holds a control character.",
                "A path segment holds a control character (such as %00 or %0A). Names are lowercase letters, digits and '-'.");
            return;
        }

        if (request.ContentLength > limits.MaxRequestBodyBytes)
        {
            throw BodyTooLarge(limits.MaxRequestBodyBytes);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limits.MaxRequestBodyBytes;
        }

        await next(context);
    }

    /// <summary>The 413 for a body over <paramref name="limit"/>, whether Content-Length or the bytes read say so.</summary>
    public static BadHttpRequestException BodyTooLarge(long limit) =>
        new($"The request body is larger than {limit} bytes, the most accepted.", StatusCodes.Status413PayloadTooLarge);

    private async Task RefuseAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
