using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Gantry.Core.Catalog;
using Gantry.Core.Status;
using Gantry.Testing;
using Gantry.Testing.Engines;
using Microsoft.AspNetCore.Http;

namespace Gantry.Server.Tests.Status;

public sealed partial class TestGitOpsEngineFluxTests : IAsyncLifetime
{
    private const string Secret = "cluster-secret-0123456789";
    private readonly EngineWorld _world = new(GitOpsEngine.Flux, Secret);

    private GitOpsRepository Repository => _world.Repository;

    private HttpClient Client => _world.Client;

    private CaptureServer Webhook => _world.Gantry;

    private TestGitOpsEngine Engine => _world.Engine;

    public Task InitializeAsync() => _world.InitializeAsync();

    public Task DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public void Sign_reproduces_the_notification_controller_hmac_vector()
    {
        var body = File.ReadAllBytes(InteropFiles.PathTo("flux", "generic-hmac-vector.body.json"));
        var vector = InteropFiles.ReadText("flux", "generic-hmac-vector.txt");
        var key = VectorKey().Match(vector).Groups[1].Value;
        var expected = VectorSignature().Match(vector).Groups[1].Value;

        Assert.Equal("7152fed34dd6149a7c75a276c510da27cb6f82b0", key);
        Assert.Equal(expected, TestGitOpsEngine.Sign(key, body));
    }

    [Fact]
    public void FluxEventBody_writes_the_vector_body_byte_for_byte()
    {
        var body = TestGitOpsEngine.FluxEventBody(new FluxEvent
        {
            InvolvedObject = new FluxObjectReference { Kind = "GitRepository", Namespace = "gitops-system", Name = "webapp" },
            Severity = "info",
            Timestamp = DateTimeOffset.FromUnixTimeSeconds(1664520029),
            Message = "message",
            Reason = "reason",
            Metadata = new Dictionary<string, string> { ["test"] = "metadata" },
            ReportingController = "source-controller",
            ReportingInstance = "source-controller-xyz",
        });

        Assert.Equal(File.ReadAllBytes(InteropFiles.PathTo("flux", "generic-hmac-vector.body.json")), body);
    }

    [Fact]
    public void FluxEventBody_escapes_as_go_does()
    {
        var body = TestGitOpsEngine.FluxEventBody(new FluxEvent
        {
            InvolvedObject = new FluxObjectReference { Kind = "HelmRelease", Name = "a" },
            Severity = "error",
            Timestamp = DateTimeOffset.FromUnixTimeSeconds(0),
            Message = "<x> & \"y\"\n\u2028é",
            Reason = "UpgradeFailed",
            Metadata = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" },
            ReportingController = "helm-controller",
        });

        Assert.Equal(
            """{"involvedObject":{"kind":"HelmRelease","name":"a"},"severity":"error","timestamp":"1970-01-01T00:00:00Z","message":"\u003cx\u003e \u0026 \"y\"\n\u2028é","reason":"UpgradeFailed","metadata":{"a":"1","b":"2"},"reportingController":"helm-controller"}""",
            Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void Receiver_path_and_signature_match_the_documented_receiver_vector()
    {
        var example = InteropFiles.ReadText("flux", "receiver-generic-hmac-example.md");
        var path = ExamplePath().Match(example).Groups[1].Value;
        var header = ExampleHeader().Match(example).Groups[1].Value;
        var body = Encoding.UTF8.GetBytes("""{"ref":"refs/heads/main"}""");

        Assert.Equal(path, TestGitOpsEngine.FluxReceiverPath("my-receiver-token", "generic-hmac-receiver", "default"));
        Assert.True(TestGitOpsEngine.IsValidFluxSignature("my-receiver-token", header, body));
        Assert.True(TestGitOpsEngine.IsValidFluxSignature("my-receiver-token", header.ToUpperInvariant().Replace("SHA256", "sha256", StringComparison.Ordinal), body));
        Assert.False(TestGitOpsEngine.IsValidFluxSignature("other-token", header, body));
        Assert.False(TestGitOpsEngine.IsValidFluxSignature("my-receiver-token", header.Replace("sha256", "sha512", StringComparison.Ordinal), body));
    }

    [Fact]
    public async Task Receiver_listens_at_the_gantry_receiver_path_of_flux_system()
    {
        Assert.Equal(Engine.NotifyUrl + TestGitOpsEngine.FluxReceiverPath(Secret, "gantry", "flux-system"), Engine.ReceiverUrl);
        Assert.Matches("^http://127\\.0\\.0\\.1:[0-9]+$", Engine.NotifyUrl);

        using var response = await Client.PostAsync(Engine.NotifyUrl + "/hook/" + new string('0', 64), new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Notification_with_a_bad_signature_gets_400_and_reconciles_nothing()
    {
        Repository.Commit((GitOpsRepository.HelmReleasePath("acme", "db"), GitOpsRepository.HelmRelease("acme", "db", 1, "1.12.0")));
        var body = Encoding.UTF8.GetBytes("""{"ref":"refs/heads/main"}""");

        using var unsigned = await PostAsync(body, signature: null);
        using var wrong = await PostAsync(body, TestGitOpsEngine.Sign("not-the-secret", body));

        Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.All(Engine.Notifications, n => Assert.False(n.Triggered));
        await Engine.WaitForIdleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Engine.EventsPosted);
        Assert.True(Webhook.IsEmpty);
    }

    [Fact]
    public async Task Signed_notification_reconciles_and_posts_signed_events_gantry_reads()
    {
        Repository.Commit((GitOpsRepository.HelmReleasePath("acme", "db"), GitOpsRepository.HelmRelease("acme", "db", 1, "1.12.0")));
        var body = Encoding.UTF8.GetBytes("""{"ref":"refs/heads/main"}""");

        using var response = await PostAsync(body, TestGitOpsEngine.Sign(Secret, body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var notification = await Engine.WaitForNotificationAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((200, true), (notification.StatusCode, notification.Triggered));
        var progress = await Webhook.NextAsync();
        var outcome = await Webhook.NextAsync();
        foreach (var request in new[] { progress, outcome })
        {
            Assert.Equal(TestGitOpsEngine.Sign(Secret, request.Body), request.Header("X-Signature"));
            Assert.Equal("helm-controller", request.Header("gotk-component"));
            Assert.Equal("application/json", request.Header("Content-Type"));
        }

        var first = FluxEventReader.Read(progress.Body);
        Assert.Equal(("Progressing", DeploymentPhase.Reconciling), (first.Reason, first.Phase));
        var report = FluxEventReader.Read(outcome.Body);
        Assert.Equal(("HelmRelease", "acme", "db"), (report.Kind, report.Namespace, report.Name));
        Assert.Equal(("acme", "db", 1L), (report.Tenant, report.Instance, report.Generation));
        Assert.Equal(("InstallSucceeded", DeploymentPhase.Ready, "1.12.0"), (report.Reason, report.Phase, report.EngineRevision));
        Assert.Contains("\"reportingController\":\"helm-controller\"}", Encoding.UTF8.GetString(outcome.Body), StringComparison.Ordinal);

        await Engine.WaitForIdleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, Engine.EventsPosted);
        Assert.Equal(2, Engine.Answers[202]);
    }

    [Fact]
    public async Task A_changed_generation_is_an_upgrade_an_unchanged_one_is_not_reported_again()
    {
        var path = GitOpsRepository.HelmReleasePath("acme", "db");
        Repository.Commit((path, GitOpsRepository.HelmRelease("acme", "db", 1, "1.12.0")));
        await Engine.ReconcileAsync();
        Repository.Commit((path, GitOpsRepository.HelmRelease("acme", "db", 2, "1.13.0")), ("README.md", "unrelated"));
        await Engine.ReconcileAsync();
        Repository.Commit(("README.md", "still unrelated"));
        await Engine.ReconcileAsync();

        var reasons = new List<(string?, long?, string?)>();
        for (var i = 0; i < 4; i++)
        {
            var report = FluxEventReader.Read((await Webhook.NextAsync()).Body);
            reasons.Add((report.Reason, report.Generation, report.EngineRevision));
        }

        Assert.Equal(
            [("Progressing", 1L, "1.12.0"), ("InstallSucceeded", 1L, "1.12.0"), ("Progressing", 2L, "1.13.0"), ("UpgradeSucceeded", 2L, "1.13.0")],
            reasons);
        Assert.Equal(4, Engine.EventsPosted);
    }

    [Fact]
    public async Task Outcome_set_for_an_instance_is_what_gets_posted()
    {
        var db = GitOpsRepository.HelmReleasePath("acme", "db");
        var cache = GitOpsRepository.HelmReleasePath("acme", "cache");
        Repository.Commit((db, GitOpsRepository.HelmRelease("acme", "db", 1, "1.12.0")), (cache, GitOpsRepository.HelmRelease("acme", "cache", 1, "7.0.0")));
        await Engine.ReconcileAsync();
        Engine.SetOutcome("acme", "db", EngineOutcome.Failed("timed out waiting for the condition"));
        Engine.SetOutcome("acme", "cache", EngineOutcome.Degraded("Deployment/acme-apps/cache is not ready"));
        Repository.Commit((db, GitOpsRepository.HelmRelease("acme", "db", 2, "1.13.0")), (cache, GitOpsRepository.HelmRelease("acme", "cache", 2, "7.1.0")));

        await Engine.ReconcileAsync();

        var outcomes = Engine.Deliveries.Skip(4).Where(d => d.Event != "Progressing").ToDictionary(d => d.Instance, d => d.Event);
        Assert.Equal("UpgradeFailed", outcomes["db"]);
        Assert.Equal("HealthCheckFailed", outcomes["cache"]);
        var reports = new List<EngineReport>();
        for (var i = 0; i < 8; i++)
        {
            reports.Add(FluxEventReader.Read((await Webhook.NextAsync()).Body));
        }

        var failed = Assert.Single(reports, r => r.Instance == "db" && r.Generation == 2 && r.Reason != "Progressing");
        Assert.Equal(DeploymentPhase.Failed, failed.Phase);
        Assert.Contains("timed out waiting for the condition", failed.Message, StringComparison.Ordinal);
        var degraded = Assert.Single(reports, r => r.Instance == "cache" && r.Generation == 2 && r.Reason != "Progressing");
        Assert.Equal((DeploymentPhase.Degraded, "Deployment/acme-apps/cache is not ready"), (degraded.Phase, degraded.Message));
    }

    [Fact]
    public async Task An_object_removed_from_git_is_forgotten_and_installed_again_when_it_returns()
    {
        var path = GitOpsRepository.HelmReleasePath("acme", "db");
        Repository.Commit((path, GitOpsRepository.HelmRelease("acme", "db", 1, "1.12.0")));
        await Engine.ReconcileAsync();
        Repository.Commit((path, null));
        await Engine.ReconcileAsync();
        Repository.Commit((path, GitOpsRepository.HelmRelease("acme", "db", 1, "1.12.0")));
        await Engine.ReconcileAsync();

        Assert.Equal(
            ["Progressing", "InstallSucceeded", "Progressing", "InstallSucceeded"],
            Engine.Deliveries.Select(d => d.Event));
    }

    [Fact]
    public async Task Poll_interval_reconciles_without_a_notification()
    {
        Repository.Commit((GitOpsRepository.HelmReleasePath("acme", "db"), GitOpsRepository.HelmRelease("acme", "db", 1, "1.12.0")));
        await using var polling = new TestGitOpsEngine(new TestGitOpsEngineOptions
        {
            Engine = GitOpsEngine.Flux,
            Repository = Repository.Bare,
            GantryWebhookUrl = Webhook.Url,
            Secret = Secret,
            PollInterval = TimeSpan.FromMilliseconds(100),
        });

        await polling.StartAsync();

        Assert.Equal("Progressing", FluxEventReader.Read((await Webhook.NextAsync()).Body).Reason);
        Assert.Equal("InstallSucceeded", FluxEventReader.Read((await Webhook.NextAsync()).Body).Reason);
        Assert.Empty(polling.Notifications);
    }

    [Fact]
    public async Task Refusals_from_gantry_are_recorded_not_thrown()
    {
        Webhook.Status = StatusCodes.Status403Forbidden;
        Repository.Commit((GitOpsRepository.HelmReleasePath("acme", "db"), GitOpsRepository.HelmRelease("acme", "db", 1, "1.12.0")));

        await Engine.ReconcileAsync();

        Assert.Equal(2, Engine.Answers[403]);
        Assert.All(Engine.Deliveries, d => Assert.False(d.Accepted));
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Engine.ReceiverUrl) { Content = new ByteArrayContent(body) };
        if (signature is not null)
        {
            request.Headers.Add("X-Signature", signature);
        }

        return await Client.SendAsync(request);
    }

    [GeneratedRegex(@"HMAC key \(Secret \.data\.token\):\s*(\S+)")]
    private static partial Regex VectorKey();

    [GeneratedRegex(@"X-Signature: (sha256=[0-9a-f]{64})")]
    private static partial Regex VectorSignature();

    [GeneratedRegex(@"path\s*=\s*(/hook/[0-9a-f]{64})")]
    private static partial Regex ExamplePath();

    [GeneratedRegex(@"header\s*=\s*X-Signature: (sha256=[0-9a-f]{64})")]
    private static partial Regex ExampleHeader();
}
