using System.Net;
using System.Text;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Status;

/// <summary>The engines' payloads through the HTTP webhook: each moves the phase as it should, and forgeries move nothing.</summary>
public sealed class EngineWebhookTests(StatusWorld world) : IClassFixture<StatusWorld>
{
    private const string Tenant = StatusWorld.Tenant;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task Flux_install_success_moves_a_new_instance_from_committed_through_reconciling_to_ready()
    {
        var created = await world.PutInstanceAsync(Tenant, "fx-install");
        var status = created.GetProperty("status");
        Assert.Equal("Committed", status.GetProperty("phase").GetString());
        var generation = status.GetProperty("generation").GetInt64();

        var progressing = await world.PostFluxAsync("flux-acme",
            StatusWorld.FluxEvent(Tenant, "fx-install", generation, "info", "Progressing", "Helm install in progress", Now.AddSeconds(-2)))
            .ExpectAsync(HttpStatusCode.Accepted);
        Assert.True(progressing.GetProperty("applied").GetBoolean());
        Assert.Equal("Reconciling", (await world.StatusAsync(Tenant, "fx-install")).GetProperty("phase").GetString());

        await world.PostFluxAsync("flux-acme",
            StatusWorld.FluxEvent(Tenant, "fx-install", generation, "info", "InstallSucceeded", "Helm install succeeded for release acme/fx-install", Now.AddSeconds(-1)))
            .ExpectAsync(HttpStatusCode.Accepted);

        var ready = await world.StatusAsync(Tenant, "fx-install");
        Assert.Equal("Ready", ready.GetProperty("phase").GetString());
        Assert.True(ready.GetProperty("deployed").GetBoolean());
        Assert.Equal("flux-acme", ready.GetProperty("cluster").GetString());
        Assert.Equal("1.13.6", ready.GetProperty("engineRevision").GetString());
        Assert.Equal("InstallSucceeded", ready.GetProperty("reason").GetString());

        var timeline = await world.As("acme-viewer").GetAsync($"/api/v1/tenants/{Tenant}/instances/fx-install/events").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["Ready", "Reconciling", "Committed"], timeline.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("phase").GetString()));
        Assert.Equal(created.GetProperty("revision").GetString(), timeline.GetProperty("items")[2].GetProperty("revision").GetString());

        var listed = await world.As("acme-viewer").GetAsync($"/api/v1/tenants/{Tenant}/instances?phase=ready").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), i => i.GetProperty("name").GetString() == "fx-install");
    }

    [Fact]
    public async Task Flux_upgrade_failure_is_failed_and_a_failing_health_check_is_degraded()
    {
        await world.PutInstanceAsync(Tenant, "fx-upgrade");
        var generation = (await world.PutInstanceAsync(Tenant, "fx-upgrade", replicas: 2)).GetProperty("status").GetProperty("generation").GetInt64();
        Assert.Equal(2, generation);

        await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, "fx-upgrade", generation, "error", "UpgradeFailed",
            "Helm upgrade failed: timed out waiting for the condition", Now.AddSeconds(-3))).ExpectAsync(HttpStatusCode.Accepted);
        var failed = await world.StatusAsync(Tenant, "fx-upgrade");
        Assert.Equal("Failed", failed.GetProperty("phase").GetString());
        Assert.Contains("timed out", failed.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(failed.GetProperty("deployed").GetBoolean());

        await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, "fx-upgrade", generation, "error", "HealthCheckFailed",
            "health check failed after 5m: qdrant StatefulSet not ready", Now.AddSeconds(-2))).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("Degraded", (await world.StatusAsync(Tenant, "fx-upgrade")).GetProperty("phase").GetString());

        // A report on the first change arrives late: it is kept in the timeline but moves nothing.
        var late = await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, "fx-upgrade", 1, "info", "InstallSucceeded", "late", Now.AddSeconds(-1)))
            .ExpectAsync(HttpStatusCode.Accepted);
        Assert.False(late.GetProperty("applied").GetBoolean());
        Assert.Equal("Degraded", (await world.StatusAsync(Tenant, "fx-upgrade")).GetProperty("phase").GetString());
    }

    [Fact]
    public async Task Argo_cd_sync_success_is_ready_and_degraded_health_is_degraded()
    {
        var generation = (await world.PutInstanceAsync(Tenant, "argo-app")).GetProperty("status").GetProperty("generation").GetInt64();

        await world.PostArgoCdAsync("argo-acme", StatusWorld.ArgoCdEvent(Tenant, "argo-app", generation, "on-sync-succeeded", "Succeeded", "Progressing", "successfully synced", Now.AddSeconds(-3)))
            .ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("Reconciling", (await world.StatusAsync(Tenant, "argo-app")).GetProperty("phase").GetString());

        await world.PostArgoCdAsync("argo-acme", StatusWorld.ArgoCdEvent(Tenant, "argo-app", generation, "on-deployed", "Succeeded", "Healthy", null, Now.AddSeconds(-2)))
            .ExpectAsync(HttpStatusCode.Accepted);
        var ready = await world.StatusAsync(Tenant, "argo-app");
        Assert.Equal(("Ready", "argo-acme"), (ready.GetProperty("phase").GetString(), ready.GetProperty("cluster").GetString()));

        await world.PostArgoCdAsync("argo-acme", StatusWorld.ArgoCdEvent(Tenant, "argo-app", generation, "on-health-degraded", "Succeeded", "Degraded",
            "Readiness probe failed: \"connection refused\"\nretrying", Now.AddSeconds(-1))).ExpectAsync(HttpStatusCode.Accepted);
        var degraded = await world.StatusAsync(Tenant, "argo-app");
        Assert.Equal("Degraded", degraded.GetProperty("phase").GetString());
        Assert.Contains("\"connection refused\"\nretrying", degraded.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_signature_a_replayed_event_and_a_wrong_bearer_are_refused_and_change_nothing()
    {
        var generation = (await world.PutInstanceAsync(Tenant, "guarded")).GetProperty("status").GetProperty("generation").GetInt64();
        var ready = StatusWorld.FluxEvent(Tenant, "guarded", generation, "info", "InstallSucceeded", "ok", Now);

        var forged = await world.PostFluxAsync("flux-acme", ready, secret: "gantry_wh_not-the-secret").ExpectAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("X-Signature", forged.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The body changed after signing: the signature no longer matches.
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/flux/flux-acme") { Content = new ByteArrayContent([.. ready, (byte)' ']) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Signature", StatusWorld.Sign(world.Secrets["flux-acme"], ready));
        await world.Factory.CreateClient().SendAsync(request).ExpectAsync(HttpStatusCode.Unauthorized);

        await world.PostFluxAsync("no-such-cluster", ready, secret: "x").ExpectAsync(HttpStatusCode.Unauthorized);
        await world.PostArgoCdAsync("argo-acme", StatusWorld.ArgoCdEvent(Tenant, "guarded", generation, "on-deployed", "Succeeded", "Healthy", null, Now), bearer: world.Secrets["flux-acme"])
            .ExpectAsync(HttpStatusCode.Unauthorized);

        var replayed = await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, "guarded", generation, "info", "InstallSucceeded", "ok", Now.AddMinutes(-10)))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Stale event.", replayed.GetProperty("title").GetString());

        // Flux's events for this cluster go to the flux webhook only.
        await world.PostFluxAsync("argo-acme", ready, secret: world.Secrets["argo-acme"]).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Equal("Committed", (await world.StatusAsync(Tenant, "guarded")).GetProperty("phase").GetString());
        var timeline = await world.As("acme-viewer").GetAsync($"/api/v1/tenants/{Tenant}/instances/guarded/events").ExpectAsync(HttpStatusCode.OK);
        Assert.Single(timeline.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_cluster_bound_to_another_tenant_cannot_report_on_this_tenants_instance_whatever_its_payload_says()
    {
        var generation = (await world.PutInstanceAsync(Tenant, "not-yours")).GetProperty("status").GetProperty("generation").GetInt64();

        // flux-beta is bound to beta: naming acme's HelmRelease, or beta's namespace with acme's annotations, is refused.
        await world.PostFluxAsync("flux-beta", StatusWorld.FluxEvent(Tenant, "not-yours", generation, "error", "UpgradeFailed", "sabotage", Now))
            .ExpectAsync(HttpStatusCode.Forbidden);
        await world.PostFluxAsync("flux-beta", StatusWorld.FluxEvent(StatusWorld.Other, "not-yours", generation, "error", "UpgradeFailed", "sabotage", Now,
            annotatedTenant: Tenant)).ExpectAsync(HttpStatusCode.Forbidden);

        // Even acme's own cluster may not report through an object Gantry did not render for the instance.
        await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, "not-yours", generation, "error", "UpgradeFailed", "elsewhere", Now,
            @namespace: "kube-system", name: "something")).ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Equal("Committed", (await world.StatusAsync(Tenant, "not-yours")).GetProperty("phase").GetString());
    }

    [Fact]
    public async Task An_event_older_than_the_status_is_refused_and_malformed_or_oversized_bodies_are_refused_in_words()
    {
        var generation = (await world.PutInstanceAsync(Tenant, "ordered")).GetProperty("status").GetProperty("generation").GetInt64();
        await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, "ordered", generation, "info", "InstallSucceeded", "ok", Now.AddSeconds(-5)))
            .ExpectAsync(HttpStatusCode.Accepted);
        await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, "ordered", generation, "error", "UpgradeFailed", "older", Now.AddSeconds(-30)))
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("Ready", (await world.StatusAsync(Tenant, "ordered")).GetProperty("phase").GetString());

        var notJson = await world.PostFluxAsync("flux-acme", Encoding.UTF8.GetBytes("{\"involvedObject\":")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrEmpty(notJson.GetProperty("detail").GetString()));
        var noReason = await world.PostFluxAsync("flux-acme", Encoding.UTF8.GetBytes(
            "{\"involvedObject\":{\"kind\":\"HelmRelease\",\"namespace\":\"acme\",\"name\":\"ordered\"},\"severity\":\"info\",\"timestamp\":\"2026-12-05T10:00:00Z\"}"))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("reason", noReason.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var huge = Encoding.UTF8.GetBytes("{\"message\":\"" + new string('a', 70 * 1024) + "\"}");
        await world.PostFluxAsync("flux-acme", huge).ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
    }
}
