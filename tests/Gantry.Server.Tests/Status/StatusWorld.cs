using System.Globalization;
using System.Net;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing.Engines;

namespace Gantry.Server.Tests.Status;

/// <summary>
/// Gantry on its embedded defaults with tenants <see cref="Tenant"/> and <see cref="Other"/>, their admins and a
/// viewer, a Flux cluster and an Argo CD cluster bound to <see cref="Tenant"/>, and a Flux cluster bound to
/// <see cref="Other"/>. Engine events are sent the way the engines send them, signed with the clusters' secrets.
/// </summary>
public sealed class StatusWorld : IAsyncLifetime
{
    public const string Tenant = "acme";
    public const string Other = "beta";
    public const string Password = "a long enough test password";

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public GantryServerFactory Factory { get; private set; } = null!;

    /// <summary>The webhook secrets of the clusters, by name, as their registration answered them.</summary>
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    public HttpClient As(string who) => Factory.CreateClient().WithBearer(_tokens[who]);

    public async Task InitializeAsync()
    {
        Factory = new GantryServerFactory().With("Status:FeedPollInterval", "00:00:00.200");
        var admin = await Factory.CreateAdminClientAsync();
        _tokens["platform-admin"] = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        foreach (var tenant in new[] { Tenant, Other })
        {
            await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = tenant, quotas = new { maxInstances = 50, maxReplicasPerInstance = 5 } })
                .ExpectAsync(HttpStatusCode.Created);
        }

        foreach (var (user, tenant, role) in new[] { ("acme-admin", Tenant, "admin"), ("acme-viewer", Tenant, "viewer"), ("beta-admin", Other, "admin") })
        {
            var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password, email = $"{user}@example.com" })
                .ExpectAsync(HttpStatusCode.Created);
            await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/members/{created.GetProperty("id").GetString()}", new { role })
                .ExpectAsync(HttpStatusCode.OK);
            _tokens[user] = (await Factory.CreateClient().LoginAsync(user, Password)).GetProperty("access_token").GetString()!;
        }

        foreach (var (cluster, engine, tenant) in new[] { ("flux-acme", "flux", Tenant), ("argo-acme", "argocd", Tenant), ("flux-beta", "flux", Other) })
        {
            var registered = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = cluster, engine, tenants = new[] { tenant } })
                .ExpectAsync(HttpStatusCode.Created);
            Secrets[cluster] = registered.GetProperty("webhookSecret").GetString()!;
        }
    }

    /// <summary>Creates (or replaces) an instance of qdrant as the tenant's admin; answers the instance.</summary>
    public Task<JsonElement> PutInstanceAsync(string tenant, string name, int replicas = 1) =>
        As(tenant == Tenant ? "acme-admin" : "beta-admin")
            .SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/instances/{name}", new { offering = "qdrant", values = new { replicaCount = replicas } })
            .ContinueWith(async t => await t.ExpectAnyAsync(HttpStatusCode.Created, HttpStatusCode.OK)).Unwrap();

    public async Task<JsonElement> StatusAsync(string tenant, string name) =>
        (await As("platform-admin").GetAsync($"/api/v1/tenants/{tenant}/instances/{name}").ExpectAsync(HttpStatusCode.OK)).GetProperty("status");

    /// <summary>
    /// A Flux notification-controller event about a HelmRelease, byte for byte as Flux sends it (the test engine's
    /// payload builder: Go's json.Marshal of eventv1.Event), with Gantry's annotations forwarded as metadata.
    /// </summary>
    public static byte[] FluxEvent(
        string tenant, string instance, long? generation, string severity, string reason, string message, DateTimeOffset timestamp,
        string chartVersion = "1.13.6", string? @namespace = null, string? name = null, string? annotatedTenant = null)
    {
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["revision"] = chartVersion };
        if (generation is { } g)
        {
            metadata["gantry-generation"] = g.ToString(CultureInfo.InvariantCulture);
            metadata["gantry-instance"] = instance;
            metadata["gantry-tenant"] = annotatedTenant ?? tenant;
        }

        return TestGitOpsEngine.FluxEventBody(new FluxEvent
        {
            InvolvedObject = new FluxObjectReference
            {
                Kind = "HelmRelease",
                Namespace = @namespace ?? tenant,
                Name = name ?? instance,
                Uid = "7d0cdc51-ddcf-4743-b223-83ca5c699632",
                ApiVersion = "helm.toolkit.fluxcd.io/v2",
                ResourceVersion = "56921",
            },
            Severity = severity,
            Timestamp = timestamp,
            Message = message,
            Reason = reason,
            Metadata = metadata,
            ReportingController = "helm-controller",
        });
    }

    /// <summary>The body Gantry's Argo CD notification template sends (ClusterSetupRenderer), as Argo CD renders it.</summary>
    public static byte[] ArgoCdEvent(
        string tenant, string instance, long generation, string trigger, string operationPhase, string health, string? message, DateTimeOffset timestamp) =>
        TestGitOpsEngine.ArgoCdEventBody(new Gantry.Testing.Engines.ArgoCdEvent
        {
            Application = $"{tenant}-{instance}",
            Namespace = "argocd",
            Tenant = tenant,
            Instance = instance,
            Generation = generation.ToString(CultureInfo.InvariantCulture),
            Trigger = trigger,
            OperationPhase = operationPhase,
            HealthStatus = health,
            SyncRevision = "1.13.6",
            Message = message,
            Timestamp = timestamp,
        });

    public static string Sign(string secret, byte[] body) => TestGitOpsEngine.Sign(secret, body);

    /// <summary>Posts a Flux event to the cluster's webhook, signed with <paramref name="secret"/> (its own unless given).</summary>
    public Task<HttpResponseMessage> PostFluxAsync(string cluster, byte[] body, string? secret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/webhooks/flux/{cluster}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Signature", Sign(secret ?? Secrets[cluster], body));
        request.Headers.Add("gotk-component", "helm-controller");
        return Factory.CreateClient().SendAsync(request);
    }

    public Task<HttpResponseMessage> PostArgoCdAsync(string cluster, byte[] body, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/webhooks/argocd/{cluster}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Authorization = new("Bearer", bearer ?? Secrets[cluster]);
        return Factory.CreateClient().SendAsync(request);
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

internal static class StatusAssertions
{
    public static async Task<JsonElement> ExpectAnyAsync(this Task<HttpResponseMessage> request, params HttpStatusCode[] statuses)
    {
        var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(statuses.Contains(response.StatusCode), $"Expected one of {string.Join(", ", statuses)}, got {(int)response.StatusCode}: {body}");
        return string.IsNullOrEmpty(body) ? default : JsonDocument.Parse(body).RootElement.Clone();
    }
}
