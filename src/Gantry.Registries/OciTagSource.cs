using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Core.Versions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Registries;

/// <summary>
/// Lists a repository's tags from an OCI registry: <c>GET /v2/&lt;name&gt;/tags/list?n=</c>, following
/// <c>Link: &lt;...&gt;; rel="next"</c> pages (opencontainers/distribution-spec v1.1.1 spec.md "Listing Tags").
/// Works for images and for <c>oci://host/path/chart</c> Helm charts. Anonymous, basic, or bearer token after a challenge.
/// </summary>
public sealed partial class OciTagSource(HttpClient http, IOptions<RegistriesOptions> options, ILogger<OciTagSource> logger) : ITagSource
{
    private readonly RegistriesOptions _options = options.Value;

    public async Task<IReadOnlyList<string>> ListTagsAsync(TagSourceReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Kind != TagSourceKind.Oci)
        {
            throw new ArgumentException($"OciTagSource cannot read a {reference.Kind} source.", nameof(reference));
        }

        OciRepositoryAddress address;
        try
        {
            address = OciRepositoryAddress.From(reference, _options);
        }
        catch (ArgumentException e)
        {
            throw new TagSourceException(reference.ToString(), e.Message, e);
        }

        var source = address.Describe();
        var session = new AuthSession(address, _options.FindCredential(address.Registry));
        var tags = new List<string>();
        var visited = new HashSet<Uri>();
        Uri? next = address.TagsListUri(_options.PageSize);
        Log.ListingTags(logger, address.Registry.Authority, address.Repository);

        try
        {
            while (next is not null)
            {
                if (visited.Count >= _options.MaxPages || !visited.Add(next))
                {
                    throw new TagSourceException(source, $"the tag list did not end within {visited.Count} pages");
                }

                using var response = await SendAsync(next, session, source, cancellationToken);
                var body = await BoundedContent.ReadAsync(response, _options.MaxResponseBytes, source, cancellationToken);
                tags.AddRange(ReadTags(body, source));
                next = NextPage(response, next);
            }
        }
        catch (HttpRequestException e)
        {
            throw new TagSourceException(source, $"could not be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TagSourceException(source, $"did not answer within {_options.Timeout}", e);
        }

        Log.ListedTags(logger, address.Registry.Authority, address.Repository, tags.Count, visited.Count);
        return tags;
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, AuthSession session, string source, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(uri, session, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            bool answered;
            try
            {
                answered = await session.AnswerChallengeAsync(response, this, source, cancellationToken);
            }
            catch
            {
                response.Dispose();
                throw;
            }

            if (answered)
            {
                response.Dispose();
                response = await SendOnceAsync(uri, session, cancellationToken);
            }
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var status = response.StatusCode;
        response.Dispose();
        var message = status switch
        {
            HttpStatusCode.NotFound => "the repository was not found (404)",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when session.Credential is null =>
                $"access was refused ({(int)status}) and no credentials are configured for {uri.Authority} (Registries:Credentials)",
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"access was refused ({(int)status}) with the configured credentials",
            _ => $"answered {(int)status} {status}",
        };
        throw new TagSourceException(source, message) { StatusCode = (int)status };
    }

    private Task<HttpResponseMessage> SendOnceAsync(Uri uri, AuthSession session, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // Credentials and tokens go only to the registry that asked for them, not to a host a Link points elsewhere.
        if (session.Authorization is not null && uri.Authority == session.Address.Registry.Authority)
        {
            request.Headers.Authorization = session.Authorization;
        }

        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static IEnumerable<string> ReadTags(byte[] body, string source)
    {
        OciTagList? list;
        try
        {
            list = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.OciTagList);
        }
        catch (JsonException e)
        {
            throw new TagSourceException(source, "answered with a tag list that is not valid JSON", e);
        }

        return list?.Tags?.OfType<string>() ?? [];
    }

    // RFC 8288 Link header; the target is usually relative and resolves against the request URL.
    internal static Uri? NextPage(HttpResponseMessage response, Uri requestUri)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            foreach (Match match in NextLinkPattern().Matches(value))
            {
                if (Uri.TryCreate(requestUri, match.Groups["target"].Value, out var next) && next.Scheme is "http" or "https")
                {
                    return next;
                }
            }
        }

        return null;
    }

    [GeneratedRegex("""<(?<target>[^>]*)>\s*;[^,]*?\brel\s*=\s*"?next"?""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NextLinkPattern();
}
