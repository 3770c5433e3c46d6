using Gantry.Core.Validation;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Hosting;

/// <summary>
/// Reads every JSON request body (<c>application/json</c>, <c>*/*+json</c>) before any endpoint does and holds it to
/// <see cref="JsonInput"/>'s rules; a body that breaks one answers 400 naming the rule, the field and the position,
/// and no handler, binder or validator runs. A body that passes is handed on byte for byte, so a handler that
/// checks a signature over the raw bytes still sees exactly what was sent. Endpoints marked <see cref="Status.RawBody"/>
/// (engine webhooks) read their body themselves, signature first, within their own, smaller limit.
/// </summary>
internal sealed class JsonBodyMiddleware(RequestDelegate next, IOptions<GantryOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasJsonContentType() || request.ContentLength == 0 || (request.ContentLength is null && !IsChunked(request))
            || context.GetEndpoint()?.Metadata.GetMetadata<Status.RawBody>() is not null)
        {
            await next(context);
            return;
        }

        var body = await ReadBoundedAsync(request, options.Value.MaxRequestBodyBytes, context.RequestAborted);
        if (body.Length > 0)
        {
            JsonInput.Check(body);
        }

        request.Body = new MemoryStream(body, writable: false);
        await next(context);
    }

    private static bool IsChunked(HttpRequest request) =>
        request.Headers.TransferEncoding.Any(v => v?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true);

    private static async Task<byte[]> ReadBoundedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw RequestLimitsMiddleware.BodyTooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
