using System.Globalization;
using System.Text.Json.Nodes;

namespace Gantry.Client;

// Fleet operations: rollouts over many instances, and pins that keep an instance out of them.
public sealed partial class GantryClient
{
    private const string Rollouts = "api/v1/rollouts";

    /// <summary>What the rollout <paramref name="request"/> (the body of <c>POST /api/v1/rollouts</c>) would do; nothing is written.</summary>
    public async Task<RolloutPreview> PreviewRolloutAsync(JsonObject request, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Post, $"{Rollouts}/preview", request), RequestTimeout, cancellationToken);
        return await ReadAsync<RolloutPreview>(response, cancellationToken);
    }

    public Task<Rollout> StartRolloutAsync(JsonObject request, CancellationToken cancellationToken = default) =>
        RolloutCallAsync(JsonRequest(HttpMethod.Post, Rollouts, request), cancellationToken);

    public Task<RolloutPage> ListRolloutsAsync(int? limit = null, CancellationToken cancellationToken = default) =>
        GetAsync<RolloutPage>($"{Rollouts}{Query(("limit", limit?.ToString(CultureInfo.InvariantCulture)))}", cancellationToken);

    public Task<Rollout> GetRolloutAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<Rollout>($"{Rollouts}/{Segment(id)}", cancellationToken);

    /// <summary><c>pause</c>, <c>resume</c>, <c>abort</c> or <c>rollback</c>.</summary>
    public Task<Rollout> SteerRolloutAsync(string id, string action, CancellationToken cancellationToken = default) =>
        RolloutCallAsync(new HttpRequestMessage(HttpMethod.Post, $"{Rollouts}/{Segment(id)}/{Segment(action)}"), cancellationToken);

    public async Task<Pin> PinInstanceAsync(string tenant, string name, PinRequest pin, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Put, $"{Instance(tenant, name)}/pin", pin), RequestTimeout, cancellationToken);
        return await ReadAsync<Pin>(response, cancellationToken);
    }

    public async Task UnpinInstanceAsync(string tenant, string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Instance(tenant, name)}/pin"), RequestTimeout, cancellationToken);
    }

    private async Task<Rollout> RolloutCallAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, RequestTimeout, cancellationToken);
        return await ReadAsync<Rollout>(response, cancellationToken);
    }
}
