using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gantry.Core.Status;
using Gantry.Data.Clusters;
using Gantry.Git;
using Gantry.Server.Instances;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Status;

/// <summary>
/// Flux: calls the cluster's notification-controller Receiver <c>gantry</c> (type generic-hmac, in flux-system, set up
/// by the cluster setup) at <c>{notifyUrl}/hook/&lt;sha256(token + name + namespace)&gt;</c>, signed with
/// <c>X-Signature: sha256=&lt;HMAC of the body&gt;</c> (notification-controller internal/server/receiver_handlers.go).
/// The receiver then asks source-controller to fetch the GitRepository now.
/// </summary>
public sealed class FluxReceiverSender(IHttpClientFactory clients, ClusterSecrets secrets, IOptions<GitOptions> git) : IEngineNotificationSender
{
    public const string ClientName = "engine-notifications";

    public string Engine => ClusterEngines.Flux;

    public async Task SendAsync(ClusterRecord cluster, string revision, CancellationToken cancellationToken)
    {
        var secret = secrets.Derive(cluster.Name, cluster.SecretNonce);
        var body = JsonSerializer.SerializeToUtf8Bytes(new { @ref = $"refs/heads/{git.Value.Branch}", after = revision });
        using var request = new HttpRequestMessage(HttpMethod.Post, EngineUrls.Join(cluster.NotifyUrl!, ClusterSetupRenderer.FluxReceiverPath(secret)))
        {
            Content = EngineUrls.Json(body),
        };
        request.Headers.Add("X-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        await EngineUrls.SendAsync(clients.CreateClient(ClientName), request, cancellationToken);
    }
}

/// <summary>
/// Argo CD: posts a GitHub push event to the cluster's Argo CD server, <c>{notifyUrl}/api/webhook</c>, signed with the
/// cluster's secret as <c>X-Hub-Signature-256</c> (argocd-secret <c>webhook.github.secret</c>, set by the cluster
/// setup). Argo CD refreshes every Application whose source is this repository and branch (util/webhook/webhook.go),
/// which are the tenants' app-of-apps; the payload names no changed paths, so none is filtered out.
/// </summary>
public sealed class ArgoCdWebhookSender(
    IHttpClientFactory clients, ClusterSecrets secrets, IOptions<GitOptions> git, IOptions<BootstrapOptions> bootstrap) : IEngineNotificationSender
{
    public string Engine => ClusterEngines.ArgoCd;

    public async Task SendAsync(ClusterRecord cluster, string revision, CancellationToken cancellationToken)
    {
        var secret = secrets.Derive(cluster.Name, cluster.SecretNonce);
        var branch = git.Value.Branch;
        var repository = bootstrap.Value.CloneUrl(git.Value) ?? git.Value.ResolveRepositoryPath();
        var name = repository.TrimEnd('/').Split('/')[^1];
        if (name.EndsWith(".git", StringComparison.Ordinal))
        {
            name = name[..^4];
        }

        // The fields Argo CD reads of a GitHub push (argo-cd util/webhook/webhook.go affectedRevisionInfo):
        // repository.html_url, ref, before, after, repository.default_branch, commits[].added/modified/removed.
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            @ref = $"refs/heads/{branch}",
            before = new string('0', 40),
            after = revision,
            repository = new { name, full_name = name, html_url = repository, clone_url = repository, default_branch = branch },
            commits = Array.Empty<object>(),
            head_commit = new { id = revision },
            pusher = new { name = "gantry" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, EngineUrls.Join(cluster.NotifyUrl!, "/api/webhook")) { Content = EngineUrls.Json(body) };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        await EngineUrls.SendAsync(clients.CreateClient(FluxReceiverSender.ClientName), request, cancellationToken);
    }
}

internal static class EngineUrls
{
    public static Uri Join(string baseUrl, string path) => new(baseUrl.TrimEnd('/') + path, UriKind.Absolute);

    public static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    public static async Task SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new EngineNotificationException($"{request.RequestUri!.GetLeftPart(UriPartial.Authority)} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }
}
