using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;

namespace Gantry.Client;

public sealed partial class GantryClient
{
    public Task<InstancePage> ListInstancesAsync(string tenant, InstanceQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new InstanceQuery();
        var parameters = Query(("offering", query.Offering), ("phase", query.Phase), ("prefix", query.Prefix), ("after", query.After),
            ("limit", query.Limit?.ToString(CultureInfo.InvariantCulture)));
        return GetAsync<InstancePage>($"{Instances(tenant)}{parameters}", cancellationToken);
    }

    /// <summary>Every instance that matches, page after page.</summary>
    public async IAsyncEnumerable<InstanceSummary> ListAllInstancesAsync(
        string tenant, InstanceQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new InstanceQuery();
        while (true)
        {
            var page = await ListInstancesAsync(tenant, query, cancellationToken);
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

    public Task<Instance> GetInstanceAsync(string tenant, string name, CancellationToken cancellationToken = default) =>
        GetAsync<Instance>(Instance(tenant, name), cancellationToken);

    /// <summary>Creates or replaces an instance; <paramref name="ifMatch"/> (a revision) makes it conditional.</summary>
    public Task<InstanceChange> PutInstanceAsync(
        string tenant, string name, InstanceRequest request, WaitFor? wait = null, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var message = JsonRequest(HttpMethod.Put, Instance(tenant, name) + WaitQuery(wait), request);
        if (ifMatch is not null)
        {
            message.Headers.TryAddWithoutValidation("If-Match", $"\"{ifMatch}\"");
        }

        return ChangeAsync(message, wait, cancellationToken);
    }

    /// <summary>
    /// What <see cref="PutInstanceAsync"/> would do (<c>?dryRun=true</c>): the same checks, resolution and rendering,
    /// answered as the planned instance and the diff of its rendered files; nothing is written.
    /// </summary>
    public async Task<InstanceDryRun> PlanInstanceAsync(string tenant, string name, InstanceRequest request, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var message = JsonRequest(HttpMethod.Put, Instance(tenant, name) + Query(("dryRun", "true")), request);
        if (ifMatch is not null)
        {
            message.Headers.TryAddWithoutValidation("If-Match", $"\"{ifMatch}\"");
        }

        using var response = await SendAsync(message, RequestTimeout, cancellationToken);
        return await ReadAsync<InstanceDryRun>(response, cancellationToken);
    }

    /// <summary>New values for the instance's generated secrets (all, or those named), sealed and committed; shown once in the answer's credentials.</summary>
    public Task<InstanceChange> RotateCredentialsAsync(
        string tenant, string name, IReadOnlyList<string>? secrets = null, WaitFor? wait = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(JsonRequest(HttpMethod.Post, $"{Instance(tenant, name)}/credentials/rotate{WaitQuery(wait)}", new { secrets }), wait, cancellationToken);

    public Task<InstanceChange> ScaleInstanceAsync(string tenant, string name, int replicas, WaitFor? wait = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(JsonRequest(HttpMethod.Post, $"{Instance(tenant, name)}/scale{WaitQuery(wait)}", new { replicas }), wait, cancellationToken);

    /// <summary>A new commit that restores the instance as it was at <paramref name="revision"/>.</summary>
    public Task<InstanceChange> RollbackInstanceAsync(string tenant, string name, string revision, WaitFor? wait = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(JsonRequest(HttpMethod.Post, $"{Instance(tenant, name)}/rollback{WaitQuery(wait)}", new { revision }), wait, cancellationToken);

    public async Task DeleteInstanceAsync(string tenant, string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, Instance(tenant, name)), RequestTimeout, cancellationToken);
    }

    public Task<HistoryPage> GetInstanceHistoryAsync(string tenant, string name, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        GetAsync<HistoryPage>($"{Instance(tenant, name)}/history{Query(("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor))}", cancellationToken);

    public Task<IReadOnlyList<FileDiff>> DiffInstanceAsync(string tenant, string name, string from, string to, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<FileDiff>>($"{Instance(tenant, name)}/diff{Query(("from", from), ("to", to))}", cancellationToken);

    /// <summary>The instance's status timeline, newest first; <paramref name="before"/> is the <c>Next</c> of the page before.</summary>
    public Task<StatusEventPage> GetInstanceEventsAsync(string tenant, string name, long? before = null, int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<StatusEventPage>($"{Instance(tenant, name)}/events{Query(("before", before is { } b ? Number(b) : null), ("limit", limit?.ToString(CultureInfo.InvariantCulture)))}", cancellationToken);

    private async Task<InstanceChange> ChangeAsync(HttpRequestMessage request, WaitFor? wait, CancellationToken cancellationToken)
    {
        var timeout = wait is null ? RequestTimeout : wait.Timeout + RequestTimeout;
        using var response = await SendAsync(request, timeout, cancellationToken);
        var instance = await ReadAsync<Instance>(response, cancellationToken);
        return new InstanceChange(instance, IsCreated(response), response.StatusCode == HttpStatusCode.Accepted);
    }

    private static string WaitQuery(WaitFor? wait) => wait is null
        ? string.Empty
        : Query(("wait", wait.Phase), ("timeout", $"{Math.Max(1, (long)Math.Ceiling(wait.Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture)}s"));

    private static string Instances(string tenant) => $"api/v1/tenants/{Segment(tenant)}/instances";

    private static string Instance(string tenant, string name) => $"{Instances(tenant)}/{Segment(name)}";
}
