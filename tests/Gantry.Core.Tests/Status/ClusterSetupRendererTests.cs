using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gantry.Core.Catalog;
using Gantry.Core.Status;
using Gantry.Core.Yaml;
using Gantry.Testing;

namespace Gantry.Core.Tests.Status;

public sealed partial class ClusterSetupRendererTests
{
    private const string Secret = "s3cret-Value_0f-prod-eu";
    private const string WebhookUrl = "https://gantry.example.com/api/v1/clusters/prod-eu/events";

    private static ClusterSetup Setup(GitOpsEngine engine, string? secret = Secret, IReadOnlyList<string>? tenants = null) => new()
    {
        ClusterName = "prod-eu",
        Engine = engine,
        WebhookUrl = WebhookUrl,
        Secret = secret,
        Tenants = tenants ?? ["zeta", "acme", "zeta"],
    };

    [Fact]
    public void Flux_setup_validates_against_the_notification_crds()
    {
        var objects = Documents(Setup(GitOpsEngine.Flux));

        Assert.Equal(["Secret", "Provider", "Alert", "Receiver"], objects.Select(o => (string)o["kind"]!));
        AssertAllValid(objects);
    }

    [Fact]
    public void Argo_cd_setup_validates_against_the_kubernetes_schemas()
    {
        var objects = Documents(Setup(GitOpsEngine.ArgoCd));

        Assert.Equal(["ConfigMap", "Secret", "Secret"], objects.Select(o => (string)o["kind"]!));
        Assert.All(objects, o => Assert.Equal("argocd", (string?)o["metadata"]!["namespace"]));
        AssertAllValid(objects);
    }

    [Fact]
    public void Flux_provider_and_receiver_share_the_one_secret()
    {
        var objects = Documents(Setup(GitOpsEngine.Flux));
        var secret = Single(objects, "Secret");
        var provider = Single(objects, "Provider");
        var receiver = Single(objects, "Receiver");

        Assert.Equal((ClusterSetupRenderer.SecretName, Secret), ((string?)secret["metadata"]!["name"], (string?)secret["stringData"]!["token"]));
        Assert.Equal(("generic-hmac", WebhookUrl, ClusterSetupRenderer.SecretName),
            ((string?)provider["spec"]!["type"], (string?)provider["spec"]!["address"], (string?)provider["spec"]!["secretRef"]!["name"]));
        Assert.Equal(("generic-hmac", ClusterSetupRenderer.SecretName), ((string?)receiver["spec"]!["type"], (string?)receiver["spec"]!["secretRef"]!["name"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"apiVersion":"source.toolkit.fluxcd.io/v1","kind":"GitRepository","name":"gantry","namespace":"flux-system"}]"""),
            receiver["spec"]!["resources"]));
        Assert.All(objects, o => Assert.Equal(("flux-system", "gantry"),
            ((string?)o["metadata"]!["namespace"], (string?)o["metadata"]!["labels"]!["app.kubernetes.io/managed-by"])));
    }

    [Fact]
    public void Flux_alert_follows_the_bound_tenants_namespaces_in_order()
    {
        var alert = Single(Documents(Setup(GitOpsEngine.Flux)), "Alert");

        Assert.Equal(("gantry", "info"), ((string?)alert["spec"]!["providerRef"]!["name"], (string?)alert["spec"]!["eventSeverity"]));
        Assert.Equal(
            ["HelmRelease */acme", "Kustomization */acme", "HelmRelease */zeta", "Kustomization */zeta"],
            alert["spec"]!["eventSources"]!.AsArray().Select(s => $"{s!["kind"]} {s["name"]}/{s["namespace"]}"));
    }

    [Fact]
    public void Flux_alert_is_left_out_when_no_tenant_is_bound()
    {
        var objects = Documents(Setup(GitOpsEngine.Flux, tenants: []));

        Assert.Equal(["Secret", "Provider", "Receiver"], objects.Select(o => (string)o["kind"]!));
    }

    [Theory]
    [InlineData(GitOpsEngine.Flux)]
    [InlineData(GitOpsEngine.ArgoCd)]
    public void Secret_objects_are_left_out_without_the_secret(GitOpsEngine engine)
    {
        var objects = Documents(Setup(engine, secret: null));

        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "Secret");
        Assert.NotEmpty(objects);
    }

    [Theory]
    [InlineData(GitOpsEngine.Flux, 1)]
    [InlineData(GitOpsEngine.ArgoCd, 2)]
    public void The_secret_appears_only_in_the_secret_objects(GitOpsEngine engine, int keys)
    {
        var setup = Setup(engine);

        Assert.Equal(keys, Regex.Count(ClusterSetupRenderer.RenderYaml(setup), Regex.Escape(Secret)));
        var others = ClusterSetupRenderer.Render(setup).Where(o => (string?)o["kind"] != "Secret");
        Assert.DoesNotContain(Secret, YamlWriter.WriteAll(others), StringComparison.Ordinal);
    }

    [Fact]
    public void Flux_receiver_path_follows_the_upstream_rule()
    {
        // shared/interop/flux/receiver-generic-hmac-example.md: token my-receiver-token, receiver generic-hmac-receiver in default.
        Assert.Equal("/hook/31387a395b374c71efbad549c5a135050549020fedf8b63ff9d67f013587d2c0",
            ClusterSetupRenderer.FluxReceiverPath("my-receiver-token", "generic-hmac-receiver", "default"));
        Assert.Equal(ClusterSetupRenderer.FluxReceiverPath("my-receiver-token", "gantry", "flux-system"),
            ClusterSetupRenderer.FluxReceiverPath("my-receiver-token"));
    }

    [Theory]
    [InlineData("on-sync-succeeded", "Succeeded", "Healthy", DeploymentPhase.Ready)]
    [InlineData("on-sync-succeeded", "Succeeded", "Progressing", DeploymentPhase.Reconciling)]
    [InlineData("on-sync-failed", "Failed", "Healthy", DeploymentPhase.Failed)]
    [InlineData("on-sync-failed", "Error", "Missing", DeploymentPhase.Failed)]
    [InlineData("on-health-degraded", "Succeeded", "Degraded", DeploymentPhase.Degraded)]
    [InlineData("on-health-degraded", null, "Degraded", DeploymentPhase.Degraded)]
    [InlineData("on-deployed", "Succeeded", "Healthy", DeploymentPhase.Ready)]
    public void Argo_cd_body_renders_to_the_json_the_reader_accepts(string trigger, string? operationPhase, string health, string phase)
    {
        var message = operationPhase is null ? null : "hook \"pre-upgrade\" failed:\n\tjob \\ timed out";
        var app = new SampleApplication(operationPhase, health, message);

        var body = GoTemplate(TemplateBody(Documents(Setup(GitOpsEngine.ArgoCd))[0], trigger), app);
        var report = ArgoCdEventReader.Read(Encoding.UTF8.GetBytes(body));

        Assert.Equal(phase, report.Phase);
        Assert.Equal(("Application", "argocd", "acme-db1"), (report.Kind, report.Namespace, report.Name));
        Assert.Equal(("acme", "db1", 7L), (report.Tenant, report.Instance, report.Generation));
        Assert.Equal(message, report.Message);
        Assert.Equal("1.12.4", report.EngineRevision);
        Assert.Equal(SampleApplication.Now, report.OccurredAt);
        Assert.StartsWith(trigger, report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Argo_cd_triggers_copy_the_upstream_catalog_and_send_gantrys_template()
    {
        var data = Documents(Setup(GitOpsEngine.ArgoCd))[0]["data"]!.AsObject();

        foreach (var upstream in new[] { "on-sync-succeeded", "on-sync-failed", "on-health-degraded", "on-deployed" })
        {
            var catalog = YamlJson.Parse(InteropFiles.ReadText("argocd", "notifications", "catalog", "triggers", $"{upstream}.yaml"))!.AsArray().Single()!;
            var ours = YamlJson.Parse((string)data[$"trigger.gantry-{upstream}"]!)!.AsArray().Single()!;

            Assert.Equal((string?)catalog["when"], (string?)ours["when"]);
            Assert.Equal((string?)catalog["description"], (string?)ours["description"]);
            Assert.Equal($"gantry-{upstream}", (string?)ours["send"]!.AsArray().Single());
            // Once per change of Gantry's, as well as once per upstream revision (a chart version for Helm Applications).
            Assert.Equal($"[app.metadata.annotations['gantry.dev/generation'], {catalog["oncePer"]}]", (string?)ours["oncePer"]);
            Assert.True(data.ContainsKey($"template.gantry-{upstream}"));
        }
    }

    [Fact]
    public void Argo_cd_default_subscription_sends_gantrys_triggers_of_gantrys_applications_to_the_webhook()
    {
        var data = Documents(Setup(GitOpsEngine.ArgoCd))[0]["data"]!.AsObject();
        var subscription = YamlJson.Parse((string)data["subscriptions"]!)!.AsArray().Single()!;
        var service = YamlJson.Parse((string)data["service.webhook.gantry"]!)!;

        Assert.Equal(["gantry"], subscription["recipients"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(["gantry-on-sync-succeeded", "gantry-on-sync-failed", "gantry-on-health-degraded", "gantry-on-deployed"],
            subscription["triggers"]!.AsArray().Select(t => (string)t!));
        Assert.Equal("app.kubernetes.io/managed-by=gantry,gantry.dev/instance", (string?)subscription["selector"]);
        Assert.Equal(WebhookUrl, (string?)service["url"]);
        Assert.Equal(["Authorization: Bearer $gantry-webhook-token", "Content-Type: application/json"],
            service["headers"]!.AsArray().Select(h => $"{h!["name"]}: {h["value"]}"));
    }

    [Fact]
    public void Argo_cd_secrets_carry_the_bearer_and_the_github_webhook_secret()
    {
        var objects = Documents(Setup(GitOpsEngine.ArgoCd));

        Assert.Equal(Secret, (string?)objects.Single(o => (string?)o["metadata"]!["name"] == "argocd-notifications-secret")["stringData"]!["gantry-webhook-token"]);
        Assert.Equal(Secret, (string?)objects.Single(o => (string?)o["metadata"]!["name"] == "argocd-secret")["stringData"]!["webhook.github.secret"]);
        // Argo CD's own objects keep its label and are never marked as Gantry's (a prune by label must not take them).
        Assert.All(objects, o => Assert.Null(o["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]));
        Assert.All(objects, o => Assert.Equal("argocd", (string?)o["metadata"]!["labels"]!["app.kubernetes.io/part-of"]));
    }

    [Theory]
    [InlineData(GitOpsEngine.Flux)]
    [InlineData(GitOpsEngine.ArgoCd)]
    public void Rendering_is_deterministic_whatever_the_order_of_tenants(GitOpsEngine engine)
    {
        var first = ClusterSetupRenderer.RenderYaml(Setup(engine, tenants: ["zeta", "acme"]));

        Assert.Equal(first, ClusterSetupRenderer.RenderYaml(Setup(engine, tenants: ["zeta", "acme"])));
        Assert.Equal(first, ClusterSetupRenderer.RenderYaml(Setup(engine, tenants: ["acme", "zeta", "acme"])));
    }

    private static List<JsonObject> Documents(ClusterSetup setup) =>
        ClusterSetupRenderer.RenderYaml(setup).Split("---\n").Select(d => YamlJson.Parse(d)!.AsObject()).ToList();

    private static JsonObject Single(IEnumerable<JsonObject> objects, string kind) => objects.Single(o => (string?)o["kind"] == kind);

    private static string TemplateBody(JsonObject configMap, string upstreamTrigger)
    {
        var template = YamlJson.Parse((string)configMap["data"]![$"template.gantry-{upstreamTrigger}"]!)!;
        Assert.Equal("POST", (string?)template["webhook"]!["gantry"]!["method"]);
        return (string)template["webhook"]!["gantry"]!["body"]!;
    }

    /// <summary>
    /// Renders the body as Go's text/template with sprig would, for exactly the actions the body uses (any other action
    /// fails the test): <c>toJson</c> of a string is its JSON string literal, of a missing value <c>null</c>.
    /// </summary>
    private static string GoTemplate(string body, SampleApplication app)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["{{ toJson .app.metadata.name }}"] = "acme-db1",
            ["{{ toJson .app.metadata.namespace }}"] = "argocd",
            ["{{ index .app.metadata.annotations \"gantry.dev/tenant\" | toJson }}"] = "acme",
            ["{{ index .app.metadata.annotations \"gantry.dev/instance\" | toJson }}"] = "db1",
            ["{{ index .app.metadata.annotations \"gantry.dev/generation\" | toJson }}"] = "7",
            ["{{ toJson .app.status.operationState.phase }}"] = app.OperationPhase,
            ["{{ toJson .app.status.health.status }}"] = app.Health,
            ["{{ toJson .app.status.sync.revision }}"] = "1.12.4",
            ["{{ toJson .app.status.operationState.message }}"] = app.Message,
            ["{{ (call .time.Now).UTC.Format \"2006-01-02T15:04:05Z07:00\" | toJson }}"] = "2026-05-01T10:00:00Z",
        };
        return Action().Replace(body, m => values.TryGetValue(m.Value, out var value)
            ? (value is null ? "null" : JsonSerializer.Serialize(value))
            : throw new Xunit.Sdk.XunitException($"the test does not know the template action {m.Value}"));
    }

    // Go's lexer ends an action at the first "}}".
    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex Action();

    private static void AssertAllValid(IReadOnlyList<JsonObject> objects)
    {
        var failures = objects.SelectMany(o => SchemaOf(o).Validate(o).Select(e => $"{o["kind"]} {o["metadata"]!["name"]}: {e}")).ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static ManifestSchema SchemaOf(JsonObject manifest) => ((string)manifest["apiVersion"]!, (string)manifest["kind"]!) switch
    {
        ("notification.toolkit.fluxcd.io/v1beta3", "Provider") => Crd("notification.toolkit.fluxcd.io_providers.yaml", "v1beta3"),
        ("notification.toolkit.fluxcd.io/v1beta3", "Alert") => Crd("notification.toolkit.fluxcd.io_alerts.yaml", "v1beta3"),
        ("notification.toolkit.fluxcd.io/v1", "Receiver") => Crd("notification.toolkit.fluxcd.io_receivers.yaml", "v1"),
        ("v1", "Secret") => Kubernetes("secret-v1.json"),
        ("v1", "ConfigMap") => Kubernetes("configmap-v1.json"),
        var other => throw new Xunit.Sdk.XunitException($"no upstream schema is mapped for {other}"),
    };

    private static ManifestSchema Crd(string file, string version) => ManifestSchema.FromCrd(InteropFiles.PathTo("crds", file), version);

    private static ManifestSchema Kubernetes(string file) =>
        ManifestSchema.FromJsonSchemaFile(InteropFiles.PathTo("k8s-schemas", "v1.32.2-standalone-strict", file));

    private sealed record SampleApplication(string? OperationPhase, string Health, string? Message)
    {
        public static readonly DateTimeOffset Now = new(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);
    }
}
