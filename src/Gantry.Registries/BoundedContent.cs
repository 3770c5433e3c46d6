using System.Net;
using Gantry.Core.Versions;

namespace Gantry.Registries;

/// <summary>Reads a response body without ever holding more than the configured limit.</summary>
internal static class BoundedContent
{
    public static async Task<byte[]> ReadAsync(HttpResponseMessage response, long maxBytes, string sourceName, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > maxBytes)
        {
            throw TooLarge(sourceName, maxBytes, response.StatusCode);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(sourceName, maxBytes, response.StatusCode);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static TagSourceException TooLarge(string sourceName, long maxBytes, HttpStatusCode status) =>
        new(sourceName, $"the response is larger than the {maxBytes} bytes allowed (Registries:MaxResponseBytes)") { StatusCode = (int)status };
}
