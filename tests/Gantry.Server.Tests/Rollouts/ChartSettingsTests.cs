using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Rollouts;

/// <summary>The shipped qdrant offering takes the settings a platform team sets on the Qdrant chart (its own values.yaml's keys).</summary>
public sealed class ChartSettingsTests(FleetWorld world) : IClassFixture<FleetWorld>
{
    [Fact]
    public async Task The_qdrant_offering_takes_the_charts_common_settings_and_fixed_values_as_they_are()
    {
        var values = JsonNode.Parse("""
            {
              "replicaCount": 3,
              "image": { "repository": "registry.example.com/qdrant/qdrant", "pullPolicy": "IfNotPresent", "tag": "v1.13.4" },
              "config": { "cluster": { "enabled": true, "p2p": { "port": 6335 }, "consensus": { "tick_period_ms": 100 } } },
              "service": { "type": "ClusterIP", "annotations": { "example.com/team": "search" } },
              "persistence": { "size": "20Gi", "storageClassName": "fast", "accessModes": ["ReadWriteOnce"] },
              "snapshotPersistence": { "enabled": true, "size": "50Gi" },
              "metrics": { "serviceMonitor": { "enabled": true, "additionalLabels": { "release": "prometheus" }, "scrapeInterval": "30s" } },
              "podDisruptionBudget": { "enabled": true, "maxUnavailable": 1 },
              "tolerations": [{ "key": "dedicated", "operator": "Equal", "value": "search", "effect": "NoSchedule" }],
              "nodeSelector": { "node.example.com/pool": "memory" },
              "affinity": { "podAntiAffinity": { "preferredDuringSchedulingIgnoredDuringExecution": [] } },
              "topologySpreadConstraints": [{ "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway" }],
              "priorityClassName": "search-critical",
              "podAnnotations": { "example.com/scrape": "true" },
              "podLabels": { "team": "search" },
              "env": [{ "name": "QDRANT__LOG_LEVEL", "value": "INFO" }],
              "ingress": { "enabled": true, "ingressClassName": "nginx", "hosts": [{ "host": "search.example.com", "paths": [{ "path": "/", "pathType": "Prefix", "servicePort": 6333 }] }] }
            }
            """)!;
        var admin = world.As("a-admin");

        var created = await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{FleetWorld.TenantA}/instances/charted", new { offering = "qdrant", values })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(3, created.GetProperty("values").GetProperty("replicaCount").GetInt32());

        values["config"]!["cluster"]!["enabled"] = false;
        values["tolerations"]![0]!["effect"] = "Sometimes";
        var refused = await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{FleetWorld.TenantA}/instances/charted", new { offering = "qdrant", values })
            .ExpectAsync(HttpStatusCode.BadRequest);
        var errors = refused.GetProperty("errors");
        Assert.Contains("fixed by the platform to true", errors.GetProperty("values.config.cluster.enabled")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(errors.EnumerateObject(), e => e.Name.StartsWith("values.tolerations", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_runner_offering_takes_scheduling_resources_and_pod_metadata()
    {
        var values = JsonNode.Parse("""
            {
              "organization": "acme", "uuid": "0b7e4a52-9c1d-4f3e-8a6b-2d5c7e9f1a3b", "replicas": 2, "concurrent": 4,
              "image": { "tag": "2.2.0", "pullPolicy": "IfNotPresent" },
              "resources": { "requests": { "cpu": "500m", "memory": "512Mi" }, "limits": { "memory": "2Gi" } },
              "nodeSelector": { "node.example.com/pool": "spot" },
              "tolerations": [{ "key": "spot", "operator": "Exists", "effect": "NoSchedule" }],
              "priorityClassName": "batch", "podLabels": { "team": "ci" }, "terminationGracePeriodSeconds": 3600,
              "securityContext": { "runAsNonRoot": true }
            }
            """)!;

        await world.As("a-admin").SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{FleetWorld.TenantA}/instances/ci-runner",
            new { offering = "runner", values, secrets = new Dictionary<string, string> { ["registration-token"] = "token" } })
            .ExpectAsync(HttpStatusCode.Created);
    }
}
