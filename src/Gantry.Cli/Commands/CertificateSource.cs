using Gantry.Sealing.Keys;

namespace Gantry.Cli.Commands;

/// <summary>Loads a sealing certificate from a file or an http(s) URL such as a controller's <c>/v1/cert.pem</c>.</summary>
internal static class CertificateSource
{
    private const long MaxCertificateBytes = 1024 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<SealingCertificate> LoadAsync(string fileOrUrl, CliConsole console, CancellationToken cancellationToken)
    {
        var pem = IsUrl(fileOrUrl, out var uri)
            ? await FetchAsync(uri, console, cancellationToken)
            : await CliInput.ReadFileTextAsync(fileOrUrl, cancellationToken);
        return SealingCertificate.Parse(pem, console.Time);
    }

    private static bool IsUrl(string value, out Uri uri) =>
        Uri.TryCreate(value, UriKind.Absolute, out uri!) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static async Task<string> FetchAsync(Uri uri, CliConsole console, CancellationToken cancellationToken)
    {
        // Authority leaves out any user:password in the URL.
        var shown = $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}";
        using var client = console.CreateHttpClient(Timeout, MaxCertificateBytes);
        try
        {
            using var response = await client.GetAsync(uri, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException($"fetching the certificate from {shown} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"cannot fetch the certificate from {shown}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"fetching the certificate from {shown} timed out after {Timeout.TotalSeconds:F0} s");
        }
    }
}
