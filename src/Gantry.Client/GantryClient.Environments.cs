using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;

namespace Gantry.Client;

// The platform-service API: /api/v1/environments (docs/environments.md).
public sealed partial class GantryClient
{
    private const string Environments = "api/v1/environments";

    /// <summary>
    /// Creates an environment from a claim. A dynamic environment is validated, resolved, rendered and stored (201);
    /// one that needs approval becomes a change request (202).
    /// </summary>
    public async Task<EnvironmentCreation> CreateEnvironmentAsync(EnvironmentClaimRequest claim, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Post, Environments, claim), RequestTimeout, cancellationToken);
        return response.StatusCode == HttpStatusCode.Accepted
            ? new EnvironmentCreation(null, await ReadAsync<ChangeRequest>(response, cancellationToken))
            : new EnvironmentCreation(await ReadEnvironmentAsync(response, cancellationToken), null);
    }

    public Task<EnvironmentPage> ListEnvironmentsAsync(EnvironmentQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new EnvironmentQuery();
        var parameters = Query(("type", query.Type), ("pool", query.Pool), ("user", query.User), ("service", query.Service),
            ("expiring_before", query.ExpiringBefore?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            ("q", query.Text), ("after", query.After), ("limit", query.Limit?.ToString(CultureInfo.InvariantCulture)));
        return GetAsync<EnvironmentPage>($"{Environments}{parameters}", cancellationToken);
    }

    /// <summary>Every environment that matches, page after page (the invalid bucket claims come with the first page).</summary>
    public async IAsyncEnumerable<EnvironmentSummary> ListAllEnvironmentsAsync(
        EnvironmentQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new EnvironmentQuery();
        while (true)
        {
            var page = await ListEnvironmentsAsync(query, cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (page.Next is null)
            {
                yield break;
            }

            query = query with { After = page.Next };
        }
    }

    /// <summary>The stored claim, with each service's resolved version, and where its services stand.</summary>
    public async Task<EnvironmentDetails> GetEnvironmentAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, Environment(name)), RequestTimeout, cancellationToken);
        return await ReadEnvironmentAsync(response, cancellationToken);
    }

    /// <summary>The environment's status timeline, newest first: the engines' reports on its services.</summary>
    public Task<StatusEventPage> GetEnvironmentEventsAsync(string name, long? before = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<StatusEventPage>($"{Environment(name)}/events{Query(("before", before?.ToString(CultureInfo.InvariantCulture)), ("limit", limit?.ToString(CultureInfo.InvariantCulture)))}", cancellationToken);

    /// <summary>Changes services (a merge patch) or the deploy scope; versions are resolved again. <paramref name="ifMatch"/> is a revision.</summary>
    public async Task<EnvironmentDetails> PatchEnvironmentAsync(string name, EnvironmentPatch patch, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var request = JsonRequest(HttpMethod.Patch, Environment(name), patch);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{ifMatch}\"");
        }

        using var response = await SendAsync(request, RequestTimeout, cancellationToken);
        return await ReadEnvironmentAsync(response, cancellationToken);
    }

    public async Task DeleteEnvironmentAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, Environment(name)), RequestTimeout, cancellationToken);
    }

    /// <summary>Moves the expiry to <paramref name="until"/>, or by the type's default lifetime from now when null.</summary>
    public async Task<EnvironmentDetails> ExtendEnvironmentAsync(string name, DateTimeOffset? until = null, CancellationToken cancellationToken = default)
    {
        var body = new Dictionary<string, DateTimeOffset?> { ["expiration_date"] = until?.ToUniversalTime() };
        using var response = await SendAsync(JsonRequest(HttpMethod.Post, $"{Environment(name)}/extend", body), RequestTimeout, cancellationToken);
        return await ReadEnvironmentAsync(response, cancellationToken);
    }

    /// <summary>Resolves every version constraint again, picking up newer matching tags.</summary>
    public async Task<EnvironmentDetails> RefreshEnvironmentAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{Environment(name)}/refresh"), RequestTimeout, cancellationToken);
        return await ReadEnvironmentAsync(response, cancellationToken);
    }

    private static async Task<EnvironmentDetails> ReadEnvironmentAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var environment = await ReadAsync<EnvironmentDetails>(response, cancellationToken);
        return response.Headers.ETag is { } etag ? environment with { Revision = etag.Tag.Trim('"') } : environment;
    }

    private static string Environment(string name) => $"{Environments}/{Segment(name)}";
}
