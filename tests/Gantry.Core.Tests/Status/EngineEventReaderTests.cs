using System.Text;
using Gantry.Core.Status;
using Gantry.Testing;

namespace Gantry.Core.Tests.Status;

public sealed class EngineEventReaderTests
{
    [Fact]
    public void Flux_docs_example_of_a_failed_kustomization_reads_as_failed_with_its_revision()
    {
        var report = FluxEventReader.Read(File.ReadAllBytes(InteropFiles.PathTo("flux", "generic-provider-docs-example.json")));

        Assert.Equal(("Kustomization", "apps", "webapp"), (report.Kind, report.Namespace, report.Name));
        Assert.Equal(DeploymentPhase.Failed, report.Phase);
        Assert.Equal("ValidationFailed", report.Reason);
        Assert.Equal("main/731f7eaddfb6af01cb2173e18f0f75b0ba780ef1", report.EngineRevision);
        Assert.Equal(new DateTimeOffset(2022, 10, 28, 7, 26, 19, TimeSpan.Zero), report.OccurredAt);
        Assert.Null(report.Generation);
    }

    [Fact]
    public void Flux_event_of_another_kind_than_gantry_renders_is_refused_in_words()
    {
        // The exact body of Flux's own HMAC test vector: a GitRepository event, which Gantry does not follow.
        var error = Assert.Throws<EngineReportException>(() =>
            FluxEventReader.Read(File.ReadAllBytes(InteropFiles.PathTo("flux", "generic-hmac-vector.body.json"))));
        Assert.Contains("GitRepository", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("info", "InstallSucceeded", DeploymentPhase.Ready)]
    [InlineData("info", "UpgradeSucceeded", DeploymentPhase.Ready)]
    [InlineData("info", "Progressing", DeploymentPhase.Reconciling)]
    [InlineData("trace", "Progressing", DeploymentPhase.Reconciling)]
    [InlineData("error", "UpgradeFailed", DeploymentPhase.Failed)]
    [InlineData("error", "InstallFailed", DeploymentPhase.Failed)]
    [InlineData("error", "HealthCheckFailed", DeploymentPhase.Degraded)]
    [InlineData("info", "RollbackSucceeded", DeploymentPhase.Degraded)]
    public void Flux_severity_and_reason_map_to_a_phase(string severity, string reason, string phase) =>
        Assert.Equal(phase, FluxEventReader.PhaseOf(severity, reason));

    [Fact]
    public void Flux_helmrelease_event_carries_gantrys_annotations_as_metadata()
    {
        var body = """
            {"involvedObject":{"kind":"HelmRelease","namespace":"acme","name":"db1","apiVersion":"helm.toolkit.fluxcd.io/v2"},
             "severity":"info","timestamp":"2026-12-04T10:00:00Z","message":"Helm upgrade succeeded","reason":"UpgradeSucceeded",
             "metadata":{"gantry-generation":"7","gantry-instance":"db1","gantry-tenant":"acme","revision":"1.12.4"},
             "reportingController":"helm-controller"}
            """;

        var report = FluxEventReader.Read(Encoding.UTF8.GetBytes(body));

        Assert.Equal(("acme", "db1", 7L), (report.Tenant, report.Instance, report.Generation));
        Assert.Equal(DeploymentPhase.Ready, report.Phase);
        Assert.Equal("1.12.4", report.EngineRevision);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "JSON object")]
    [InlineData("""{"involvedObject":{"kind":"HelmRelease","namespace":"a","name":"b"},"severity":"info","reason":"x"}""", "timestamp")]
    [InlineData("""{"involvedObject":{"kind":"HelmRelease","namespace":"a","name":"b"},"severity":"loud","reason":"x","timestamp":"2026-01-01T00:00:00Z"}""", "severity")]
    [InlineData("""{"involvedObject":{"kind":"HelmRelease","namespace":"a","name":"b"},"severity":"info","reason":"x","timestamp":"2026-01-01T00:00:00Z","metadata":{"gantry-generation":"-1"}}""", "generation")]
    public void Malformed_flux_events_are_refused_saying_what_is_wrong(string body, string expected)
    {
        var error = Assert.Throws<EngineReportException>(() => FluxEventReader.Read(Encoding.UTF8.GetBytes(body)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("on-deployed", "Succeeded", "Healthy", DeploymentPhase.Ready)]
    [InlineData("on-sync-succeeded", "Succeeded", "Progressing", DeploymentPhase.Reconciling)]
    [InlineData("on-sync-succeeded", "Succeeded", "Healthy", DeploymentPhase.Ready)]
    [InlineData("on-sync-failed", "Failed", "Healthy", DeploymentPhase.Failed)]
    [InlineData("on-sync-failed", "Error", "Missing", DeploymentPhase.Failed)]
    [InlineData("on-health-degraded", "Succeeded", "Degraded", DeploymentPhase.Degraded)]
    public void Argo_cd_trigger_operation_and_health_map_to_a_phase(string trigger, string operation, string health, string phase) =>
        Assert.Equal(phase, ArgoCdEventReader.PhaseOf(trigger, operation, health));

    [Fact]
    public void Argo_cd_template_body_reads_the_application_and_gantrys_annotations()
    {
        var body = """
            {"trigger":"on-health-degraded","application":"acme-vectors","namespace":"argocd","tenant":"acme","instance":"vectors",
             "generation":"3","syncStatus":"Synced","syncRevision":"1.12.4","healthStatus":"Degraded","operationPhase":"Succeeded",
             "message":"successfully synced (all tasks run)","timestamp":"2026-12-04T10:00:00Z"}
            """;

        var report = ArgoCdEventReader.Read(Encoding.UTF8.GetBytes(body));

        Assert.Equal(("Application", "argocd", "acme-vectors"), (report.Kind, report.Namespace, report.Name));
        Assert.Equal(("acme", "vectors", 3L), (report.Tenant, report.Instance, report.Generation));
        Assert.Equal(DeploymentPhase.Degraded, report.Phase);
        Assert.Equal("on-health-degraded/Succeeded/Degraded", report.Reason);
    }
}
