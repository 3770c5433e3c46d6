using System.Net;
using Gantry.Core.Catalog;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing.Engines;

namespace Gantry.Server.Tests.Status;

/// <summary>
/// The whole loop over real HTTP on loopback: a change is committed, Gantry tells the cluster's engine (the test engine
/// standing in for Flux's Receiver or Argo CD's /api/webhook), the engine reads the commit from the repository and
/// reports back through the webhook, and the request that asked to wait answers with the engine's outcome.
/// </summary>
public sealed class EngineEndToEndTests : IAsyncLifetime
{
    private const string Tenant = "acme";

    private readonly GantryServerFactory _factory = new GantryServerFactory()
        .With("urls", "http://127.0.0.1:0")
        .With("Status:FeedPollInterval", "00:00:00.200")
        .With("Status:NotifyRetryDelay", "00:00:00.050")
        .With("Status:NotifyAttempts", "2");

    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _factory.UseKestrel();
        _factory.StartServer();
        _admin = await _factory.CreateAdminClientAsync();
        await _admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = Tenant, quotas = new { maxInstances = 20, maxReplicasPerInstance = 5 } })
            .ExpectAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData(GitOpsEngine.Flux, "flux")]
    [InlineData(GitOpsEngine.ArgoCd, "argocd")]
    public async Task A_change_is_notified_deployed_and_reported_and_the_waiting_request_answers_ready(GitOpsEngine kind, string engine)
    {
        var cluster = $"e2e-{engine}";
        var registered = await _admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = cluster, engine, tenants = new[] { Tenant } })
            .ExpectAsync(HttpStatusCode.Created);
        await using var testEngine = new TestGitOpsEngine(new TestGitOpsEngineOptions
        {
            Engine = kind,
            Repository = Path.Combine(_factory.DataDir, "state.git"),
            GantryWebhookUrl = new Uri(registered.GetProperty("cluster").GetProperty("webhookUrl").GetString()!),
            Secret = registered.GetProperty("webhookSecret").GetString()!,
        });
        await testEngine.StartAsync();
        await _admin.SendJsonAsync(HttpMethod.Patch, $"/api/v1/clusters/{cluster}", new { notifyUrl = testEngine.NotifyUrl }).ExpectAsync(HttpStatusCode.OK);

        var name = $"db-{engine}";
        // Each engine deploys the offerings rendered for it: qdrant through Argo CD, the runner through Flux.
        object request = kind == GitOpsEngine.Flux
            ? new { offering = "runner", values = new { organization = "acme", uuid = "0b7e4a52-9c1d-4f3e-8a6b-2d5c7e9f1a3b" }, secrets = new Dictionary<string, string> { ["registration-token"] = "runner-registration-token" } }
            : new { offering = "qdrant", values = new { replicaCount = 1 } };
        var created = await _admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{Tenant}/instances/{name}?wait=Ready&timeout=30s", request)
            .ExpectAsync(HttpStatusCode.Created);
        var status = created.GetProperty("status");
        Assert.Equal("Ready", status.GetProperty("phase").GetString());
        Assert.True(status.GetProperty("deployed").GetBoolean());
        Assert.Equal(cluster, status.GetProperty("cluster").GetString());

        // The engine was told of that very commit, signed, before its poll.
        Assert.Contains(testEngine.Notifications, n => n.Triggered && n.StatusCode == 200);
        if (kind == GitOpsEngine.ArgoCd)
        {
            Assert.Contains(testEngine.Notifications, n => n.Revision == created.GetProperty("revision").GetString());
        }

        // A failing upgrade: the waiting scale answers with Failed and the engine's message.
        testEngine.SetOutcome(Tenant, name, EngineOutcome.Failed("upgrade failed: image pull back-off"));
        var scaled = await _admin.SendJsonAsync(HttpMethod.Post, $"/api/v1/tenants/{Tenant}/instances/{name}/scale?wait=Ready&timeout=30s", new { replicas = 2 })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Failed", scaled.GetProperty("status").GetProperty("phase").GetString());
        Assert.Contains("image pull back-off", scaled.GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, scaled.GetProperty("status").GetProperty("generation").GetInt64());

        var timeline = await _admin.GetAsync($"/api/v1/tenants/{Tenant}/instances/{name}/events").ExpectAsync(HttpStatusCode.OK);
        var phases = timeline.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("phase").GetString()).ToList();
        Assert.Equal(["Failed", "Reconciling", "Committed", "Ready", "Reconciling", "Committed"], phases);

        var described = await _admin.GetAsync($"/api/v1/clusters/{cluster}").ExpectAsync(HttpStatusCode.OK);
        Assert.True(described.GetProperty("notifications").GetProperty("sent").GetInt64() >= 2);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, described.GetProperty("lastEventAt").ValueKind);
    }

    [Fact]
    public async Task An_engine_that_cannot_be_reached_never_fails_the_change_and_shows_in_the_health_report()
    {
        var registered = await _admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters",
            new { name = "unreachable", engine = "flux", tenants = new[] { Tenant }, notifyUrl = $"http://127.0.0.1:{Gantry.Testing.Ports.Free()}" })
            .ExpectAsync(HttpStatusCode.Created);

        await _admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{Tenant}/instances/lonely", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var cluster = await _admin.GetAsync("/api/v1/clusters/unreachable").ExpectAsync(HttpStatusCode.OK);
            if (cluster.GetProperty("notifications").GetProperty("failed").GetInt64() >= 1)
            {
                Assert.False(string.IsNullOrEmpty(cluster.GetProperty("notifications").GetProperty("lastError").GetString()));
                var health = await _factory.CreateClient().GetAsync("/hc?format=json");
                var body = await health.Content.ReadAsStringAsync();
                Assert.Contains("engine-notifications", body, StringComparison.Ordinal);
                Assert.DoesNotContain("unreachable", body, StringComparison.Ordinal); // the anonymous page names no cluster
                await _admin.SendJsonAsync(HttpMethod.Delete, "/api/v1/clusters/unreachable").ExpectAsync(HttpStatusCode.NoContent);
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the failed notification never showed in {registered}");
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }
}
