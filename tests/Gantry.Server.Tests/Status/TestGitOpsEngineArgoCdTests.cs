using System.Net;
using System.Net.Http.Headers;
using Gantry.Core.Catalog;
using Gantry.Core.Status;
using Gantry.Testing;
using Gantry.Testing.Engines;

namespace Gantry.Server.Tests.Status;

public sealed class TestGitOpsEngineArgoCdTests : IAsyncLifetime
{
    private const string Secret = "argocd-cluster-secret";
    private readonly EngineWorld _world = new(GitOpsEngine.ArgoCd, Secret);

    private GitOpsRepository Repository => _world.Repository;

    private HttpClient Client => _world.Client;

    private CaptureServer Webhook => _world.Gantry;

    private TestGitOpsEngine Engine => _world.Engine;

    public Task InitializeAsync() => _world.InitializeAsync();

    public Task DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task Ping_is_answered_and_reconciles_nothing()
    {
        Repository.Commit((GitOpsLayout("acme", "db"), GitOpsRepository.Application("acme", "db", 1, "1.12.0")));
        var ping = File.ReadAllBytes(InteropFiles.PathTo("argocd", "webhook", "github-ping-event.json"));

        using var response = await PostAsync("ping", ping, TestGitOpsEngine.Sign(Secret, ping));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await Engine.WaitForNotificationAsync(TimeSpan.FromSeconds(5))).Triggered);
        await Engine.WaitForIdleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Engine.EventsPosted);
    }

    [Fact]
    public async Task Push_with_a_bad_signature_or_wrong_shape_is_refused_and_reconciles_nothing()
    {
        Repository.Commit((GitOpsLayout("acme", "db"), GitOpsRepository.Application("acme", "db", 1, "1.12.0")));
        var push = TestGitOpsEngine.GitHubPushBody("http://gantry.test/state.git", "main", new string('0', 40), new string('1', 40));

        using var wrong = await PostAsync("push", push, TestGitOpsEngine.Sign("not-the-secret", push));
        using var unsigned = await PostAsync("push", push, signature: null);
        using var unknownEvent = await PostAsync("issues", push, TestGitOpsEngine.Sign(Secret, push));
        using var get = await Client.GetAsync(Engine.ReceiverUrl);
        using var elsewhere = await Client.PostAsync(Engine.NotifyUrl + "/api/other", new ByteArrayContent(push));

        Assert.Equal(
            [HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.MethodNotAllowed, HttpStatusCode.NotFound],
            new[] { wrong, unsigned, unknownEvent, get, elsewhere }.Select(r => r.StatusCode));
        await Engine.WaitForIdleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Engine.EventsPosted);
        Assert.True(Webhook.IsEmpty);
    }

    [Fact]
    public async Task Signed_push_reconciles_and_posts_the_template_body_gantry_reads()
    {
        var commit = Repository.Commit((GitOpsLayout("acme", "db"), GitOpsRepository.Application("acme", "db", 3, "1.12.0")));
        var push = TestGitOpsEngine.GitHubPushBody("http://gantry.test/state.git", "main", new string('0', 40), commit);

        using var response = await PostAsync("push", push, TestGitOpsEngine.Sign(Secret, push));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var notification = await Engine.WaitForNotificationAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((TestGitOpsEngine.ArgoCdWebhookPath, commit, true), (notification.Path, notification.Revision, notification.Triggered));
        var progress = await Webhook.NextAsync();
        var outcome = await Webhook.NextAsync();
        Assert.All([progress, outcome], r => Assert.Equal("Bearer " + Secret, r.Header("Authorization")));
        Assert.Equal(DeploymentPhase.Reconciling, ArgoCdEventReader.Read(progress.Body).Phase);
        var report = ArgoCdEventReader.Read(outcome.Body);
        Assert.Equal(("Application", "argocd", "acme-db"), (report.Kind, report.Namespace, report.Name));
        Assert.Equal(("acme", "db", 3L), (report.Tenant, report.Instance, report.Generation));
        Assert.Equal((DeploymentPhase.Ready, "on-deployed/Succeeded/Healthy", "1.12.0"), (report.Phase, report.Reason, report.EngineRevision));
    }

    [Fact]
    public async Task Push_of_another_branch_is_answered_without_a_reconcile()
    {
        Repository.Commit((GitOpsLayout("acme", "db"), GitOpsRepository.Application("acme", "db", 1, "1.12.0")));
        var push = TestGitOpsEngine.GitHubPushBody("http://gantry.test/state.git", "feature", new string('0', 40), new string('1', 40));

        using var response = await PostAsync("push", push, TestGitOpsEngine.Sign(Secret, push));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await Engine.WaitForNotificationAsync(TimeSpan.FromSeconds(5))).Triggered);
    }

    [Theory]
    [InlineData("failed", "on-sync-failed/Failed/Progressing", DeploymentPhase.Failed)]
    [InlineData("degraded", "on-health-degraded/Succeeded/Degraded", DeploymentPhase.Degraded)]
    public async Task Outcome_set_for_an_instance_is_what_gets_posted(string kind, string reason, string phase)
    {
        Engine.SetOutcome("acme", "db", kind == "failed" ? EngineOutcome.Failed("ComparisonError: boom") : EngineOutcome.Degraded("Deployment is not ready"));
        Repository.Commit((GitOpsLayout("acme", "db"), GitOpsRepository.Application("acme", "db", 1, "1.12.0")));

        await Engine.ReconcileAsync();

        await Webhook.NextAsync();
        var report = ArgoCdEventReader.Read((await Webhook.NextAsync()).Body);
        Assert.Equal((reason, phase, 1L), (report.Reason, report.Phase, report.Generation));
        Assert.Equal(kind == "failed" ? "ComparisonError: boom" : "Deployment is not ready", report.Message);
    }

    private static string GitOpsLayout(string tenant, string instance) => Core.Rendering.GitOpsLayout.ArgoCdApplication(tenant, instance);

    private async Task<HttpResponseMessage> PostAsync(string gitHubEvent, byte[] body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Engine.ReceiverUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", gitHubEvent);
        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature);
        }

        return await Client.SendAsync(request);
    }
}
