using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gantry.Core.Versions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Registries;

/// <summary>
/// Lists the versions of one chart from a Helm repository's <c>index.yaml</c> (helm/helm pkg/repo/v1/index.go).
/// The index is read as a stream of YAML events, keeping only the chart's versions, so big indexes
/// (tens of MiB, thousands of charts) cost little memory; the size limit still applies.
/// </summary>
public sealed class HelmRepositoryTagSource(HttpClient http, IOptions<RegistriesOptions> options, ILogger<HelmRepositoryTagSource> logger) : ITagSource
{
    private readonly RegistriesOptions _options = options.Value;

    public async Task<IReadOnlyList<string>> ListTagsAsync(TagSourceReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Kind != TagSourceKind.Helm)
        {
            throw new ArgumentException($"HelmRepositoryTagSource cannot read a {reference.Kind} source.", nameof(reference));
        }

        var chart = reference.Chart;
        if (!Uri.TryCreate(reference.Url, UriKind.Absolute, out var repository) || repository.Scheme is not ("http" or "https") || string.IsNullOrEmpty(chart))
        {
            throw new TagSourceException(reference.ToString(), "a Helm source needs an http(s) repository URL and a chart name");
        }

        // Never let user:password@ from a repository URL reach an error or a log line.
        var indexUri = new Uri(repository.AbsoluteUri.TrimEnd('/') + "/index.yaml");
        var shownIndex = indexUri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        var source = $"helm repository {shownIndex} chart {chart}";
        Log.ReadingHelmIndex(logger, shownIndex, chart);

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, indexUri);
            var credential = _options.FindCredential(indexUri);
            if (credential is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue(
                    "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var message = response.StatusCode == HttpStatusCode.NotFound
                    ? "the repository has no index.yaml (404)"
                    : $"answered {(int)response.StatusCode} {response.StatusCode}";
                throw new TagSourceException(source, message) { StatusCode = (int)response.StatusCode };
            }

            var body = await BoundedContent.ReadAsync(response, _options.MaxResponseBytes, source, cancellationToken);
            return HelmIndexReader.ReadVersions(body, chart, source);
        }
        catch (HttpRequestException e)
        {
            throw new TagSourceException(source, $"could not be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TagSourceException(source, $"did not answer within {_options.Timeout}", e);
        }
    }
}
