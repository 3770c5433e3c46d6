using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing.Engines;

namespace Gantry.Server.Tests.Environments;

/// <summary>
/// An environment's status from the engine's events about its services: each service's HelmRelease or Kustomization
/// carries the environment, the service and the version Gantry rendered, and its status Alert sends their events.
/// </summary>
public sealed class EnvironmentStatusTests(EnvironmentWorld world) : IClassFixture<EnvironmentWorld>
{
    private const string Name = "dev-status-x";

    [Fact]
    public async Task Services_reported_ready_at_their_resolved_versions_make_the_environment_ready_and_a_failure_fails_it()
    {
        var (secret, services) = await SetUpAsync("flux-pool-a", EnvironmentWorld.PoolA);
        Assert.Equal("Committed", (await StatusAsync()).GetProperty("phase").GetString());

        // The rendered service objects name their change, and the folder sends their events.
        var release = await File.ReadAllTextAsync(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, Name, "services", "user-service.yaml"));
        Assert.Contains("event.toolkit.fluxcd.io/gantry-version: v1.2.3", release, StringComparison.Ordinal);
        var alert = await File.ReadAllTextAsync(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, Name, "status-alert.yaml"));
        Assert.Contains($"namespace: {Name}", alert, StringComparison.Ordinal);

        var (first, firstKind, firstVersion) = services[0];
        await PostAsync("flux-pool-a", secret, Event(firstKind, first, firstVersion, "info", "InstallSucceeded")).ExpectAsync(HttpStatusCode.Accepted);
        var partly = await StatusAsync();
        Assert.Equal("Reconciling", partly.GetProperty("phase").GetString());
        Assert.Equal("Ready", partly.GetProperty("services").GetProperty(first).GetProperty("phase").GetString());

        foreach (var (service, kind, version) in services.Skip(1))
        {
            await PostAsync("flux-pool-a", secret, Event(kind, service, version, "info", kind == "HelmRelease" ? "InstallSucceeded" : "ReconciliationSucceeded"))
                .ExpectAsync(HttpStatusCode.Accepted);
        }

        Assert.Equal("Ready", (await StatusAsync()).GetProperty("phase").GetString());

        // A report about another version than the one resolved says what runs, but does not count for this one.
        await PostAsync("flux-pool-a", secret, Event(firstKind, first, "v0.0.1", "error", "UpgradeFailed")).ExpectAsync(HttpStatusCode.Accepted);
        var stale = (await StatusAsync()).GetProperty("services").GetProperty(first);
        Assert.Equal(("Committed", "v0.0.1"), (stale.GetProperty("phase").GetString(), stale.GetProperty("reportedVersion").GetString()));

        await PostAsync("flux-pool-a", secret, Event(firstKind, first, firstVersion, "error", "UpgradeFailed")).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("Failed", (await StatusAsync()).GetProperty("phase").GetString());

        var timeline = await world.As("a-viewer").GetAsync(new Uri($"/api/v1/environments/{Name}/events", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(services.Count + 2, timeline.GetProperty("items").GetArrayLength());
        await world.As("jane.smith").GetAsync(new Uri($"/api/v1/environments/{Name}/events", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_cluster_of_another_pool_cannot_report_on_the_environment_and_unknown_services_move_nothing()
    {
        var (_, services) = await SetUpAsync("flux-pool-a", EnvironmentWorld.PoolA);
        var (otherSecret, _) = await SetUpAsync("flux-pool-b", EnvironmentWorld.PoolB);
        var (service, kind, version) = services[0];

        await PostAsync("flux-pool-b", otherSecret, Event(kind, service, version, "error", "UpgradeFailed")).ExpectAsync(HttpStatusCode.Forbidden);
        var unknown = await PostAsync("flux-pool-b", otherSecret, Event(kind, "not-a-service", version, "error", "UpgradeFailed", pool: EnvironmentWorld.PoolB))
            .ExpectAsync(HttpStatusCode.Accepted);
        Assert.False(unknown.GetProperty("applied").GetBoolean());
        Assert.Equal("Committed", (await StatusAsync()).GetProperty("phase").GetString());
    }

    private async Task<(string Secret, List<(string Service, string Kind, string Version)> Services)> SetUpAsync(string cluster, string pool)
    {
        var admin = world.As("platform-admin");
        var response = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = cluster, engine = "flux", tenants = new[] { pool } });
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            response = await admin.SendJsonAsync(HttpMethod.Post, $"/api/v1/clusters/{cluster}/rotate-secret");
        }

        var secret = (await response.JsonAsync()).GetProperty("webhookSecret").GetString()!;
        if (pool == EnvironmentWorld.PoolA)
        {
            await world.As("john.doe").DeleteAsync(new Uri($"/api/v1/environments/{Name}", UriKind.Relative));
            await EnvironmentApiTests.Post(world.As("john.doe"), EnvironmentApiTests.Request(Name, "dev", pool,
                new JsonObject { ["user-service"] = "v1.2.3", ["auth-service"] = "^2.1.0" })).ExpectAsync(HttpStatusCode.Created);
        }

        var claim = await world.As("a-viewer").GetAsync(new Uri($"/api/v1/environments/{Name}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        var services = new List<(string, string, string)>();
        foreach (var service in claim.GetProperty("services").EnumerateObject())
        {
            var file = await File.ReadAllTextAsync(Path.Combine(world.BucketFolder, EnvironmentWorld.PoolA, Name, "services", $"{service.Name}.yaml"));
            services.Add((service.Name, file.Contains("kind: HelmRelease", StringComparison.Ordinal) ? "HelmRelease" : "Kustomization",
                service.Value.GetProperty("resolved_version").GetString()!));
        }

        return (secret, services);
    }

    private byte[] Event(string kind, string service, string version, string severity, string reason, string pool = EnvironmentWorld.PoolA) =>
        TestGitOpsEngine.FluxEventBody(new FluxEvent
        {
            InvolvedObject = new FluxObjectReference { Kind = kind, Namespace = Name, Name = service, ApiVersion = "helm.toolkit.fluxcd.io/v2" },
            Severity = severity,
            Timestamp = world.Time.GetUtcNow(),
            Message = $"{reason} for {service}",
            Reason = reason,
            Metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["gantry-environment"] = Name,
                ["gantry-service"] = service,
                ["gantry-tenant"] = pool,
                ["gantry-version"] = version,
                ["revision"] = "1.0.0",
            },
            ReportingController = kind == "HelmRelease" ? "helm-controller" : "kustomize-controller",
        });

    private Task<HttpResponseMessage> PostAsync(string cluster, string secret, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/webhooks/flux/{cluster}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Signature", TestGitOpsEngine.Sign(secret, body));
        return world.Factory.CreateClient().SendAsync(request);
    }

    private async Task<System.Text.Json.JsonElement> StatusAsync() =>
        (await world.As("a-viewer").GetAsync(new Uri($"/api/v1/environments/{Name}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK)).GetProperty("status");
}
