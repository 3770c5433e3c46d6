namespace Gantry.Client;

// Clusters where GitOps engines run (/api/v1/clusters): platform administrators, or tenant admins for their own tenant.
public sealed partial class GantryClient
{
    private const string Clusters = "api/v1/clusters";

    /// <summary>Registers a cluster; the answer holds its webhook secret and setup manifests, shown this once.</summary>
    public async Task<ClusterSecret> RegisterClusterAsync(ClusterRequest cluster, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Post, Clusters, cluster), RequestTimeout, cancellationToken);
        return await ReadAsync<ClusterSecret>(response, cancellationToken);
    }

    public Task<IReadOnlyList<Cluster>> ListClustersAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<Cluster>>(Clusters, cancellationToken);

    public Task<Cluster> GetClusterAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<Cluster>(ClusterPath(name), cancellationToken);

    public async Task<Cluster> UpdateClusterAsync(string name, ClusterUpdate update, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Patch, ClusterPath(name), update), RequestTimeout, cancellationToken);
        return await ReadAsync<Cluster>(response, cancellationToken);
    }

    public async Task DeleteClusterAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, ClusterPath(name)), RequestTimeout, cancellationToken);
    }

    /// <summary>A new webhook secret (the old one stops working), with the setup that holds it, shown this once.</summary>
    public async Task<ClusterSecret> RotateClusterSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{ClusterPath(name)}/rotate-secret"), RequestTimeout, cancellationToken);
        return await ReadAsync<ClusterSecret>(response, cancellationToken);
    }

    /// <summary>The manifests to apply in the cluster, as YAML, without the secret.</summary>
    public async Task<string> GetClusterSetupAsync(string name, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{ClusterPath(name)}/setup"), RequestTimeout, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private static string ClusterPath(string name) => $"{Clusters}/{Segment(name)}";
}
