using Gantry.Server.Hosting;

namespace Gantry.Server.Sealing;

/// <summary>
/// Fetches a Sealed Secrets controller's certificate from its <c>/v1/cert.pem</c>: https only, a short timeout, a size
/// limit and only to addresses a tenant may aim Gantry at (<see cref="OutboundTargetGuard"/>), since the URL comes from a
/// tenant admin. Problems are one-line messages for a 400 answer.
/// </summary>
public sealed class ControllerCertificateFetcher(HttpClient http)
{
    public const int MaxBytes = 64 * 1024;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The PEM text, or throws <see cref="CertificateFetchException"/> with a message fit for the caller.</summary>
    public async Task<string> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new CertificateFetchException($"the URL answered {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > MaxBytes)
            {
                throw new CertificateFetchException($"the answer is larger than {MaxBytes} bytes");
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[MaxBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), timeout.Token)) > 0)
            {
                read += n;
            }

            return read > MaxBytes
                ? throw new CertificateFetchException($"the answer is larger than {MaxBytes} bytes")
                : System.Text.Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CertificateFetchException($"the URL did not answer within {Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            throw new CertificateFetchException(OutboundTargetGuard.RefusalIn(e) ?? $"the URL could not be fetched ({e.HttpRequestError})");
        }
    }
}

public sealed class CertificateFetchException(string message) : Exception(message);
