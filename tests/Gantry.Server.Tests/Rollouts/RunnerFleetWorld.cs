using System.Globalization;
using System.Net;
using System.Text.Json;
using Gantry.Core.Catalog;
using Gantry.Git.Testing;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing.Engines;

namespace Gantry.Server.Tests.Rollouts;

/// <summary>
/// A runner fleet on a real loopback server: <see cref="Tenants"/> tenants of <see cref="PerTenant"/> runner instances
/// each (chart 2.1.4), all bound to one Flux cluster whose engine is the loopback test engine: it reads every commit
/// from the repository and reports each HelmRelease Ready (or what a test sets) through the signed webhook.
/// </summary>
public sealed class RunnerFleetWorld : IAsyncLifetime
{
    public const int Tenants = 30;
    public const int PerTenant = 10;
    public const string Password = "a long enough test password";

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public GantryServerFactory Factory { get; } = new GantryServerFactory()
        .With("urls", "http://127.0.0.1:0")
        .With("Status:FeedPollInterval", "00:00:00.200")
        .With("Status:NotifyRetryDelay", "00:00:00.050")
        .With("Rollouts:Interval", "00:00:00.200")
        .With("Sealing:KeyPool:Capacity", "4");

    public TestGitOpsEngine Engine { get; private set; } = null!;

    public string Repository => Path.Combine(Factory.DataDir, "state.git");

    public static string Tenant(int i) => $"t{i:D2}";

    public HttpClient As(string who) => Factory.CreateClient().WithBearer(_tokens[who]);

    public async Task InitializeAsync()
    {
        Factory.UseKestrel();
        Factory.StartServer();
        var admin = await Factory.CreateAdminClientAsync();
        _tokens["platform-admin"] = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        var tenants = Enumerable.Range(0, Tenants).Select(Tenant).ToList();
        foreach (var tenant in tenants)
        {
            await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = tenant, quotas = new { maxInstances = 50 } }).ExpectAsync(HttpStatusCode.Created);
        }

        foreach (var (user, tenant, role) in new[] { ("t00-admin", Tenant(0), "admin"), ("t00-operator", Tenant(0), "operator"), ("t01-admin", Tenant(1), "admin") })
        {
            var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password, email = $"{user}@example.com" })
                .ExpectAsync(HttpStatusCode.Created);
            await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/members/{created.GetProperty("id").GetString()}", new { role })
                .ExpectAsync(HttpStatusCode.OK);
            _tokens[user] = (await Factory.CreateClient().LoginAsync(user, Password)).GetProperty("access_token").GetString()!;
        }

        var registered = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters", new { name = "runners", engine = "flux", tenants })
            .ExpectAsync(HttpStatusCode.Created);
        Engine = new TestGitOpsEngine(new TestGitOpsEngineOptions
        {
            Engine = GitOpsEngine.Flux,
            Repository = Repository,
            GantryWebhookUrl = new Uri(registered.GetProperty("cluster").GetProperty("webhookUrl").GetString()!),
            Secret = registered.GetProperty("webhookSecret").GetString()!,
            PostConcurrency = 8,
        });
        await Engine.StartAsync();
        await admin.SendJsonAsync(HttpMethod.Patch, "/api/v1/clusters/runners", new { notifyUrl = Engine.NotifyUrl }).ExpectAsync(HttpStatusCode.OK);

        // Tenants in parallel (each one's first create waits for its sealing key), instances of a tenant in turn.
        await Parallel.ForEachAsync(tenants, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (tenant, _) =>
        {
            for (var i = 0; i < PerTenant; i++)
            {
                await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/instances/r{i}", new
                {
                    offering = "runner",
                    version = "~2.1.0",
                    values = new { organization = tenant, uuid = $"0b7e4a52-9c1d-4f3e-8a6b-{i.ToString("D12", CultureInfo.InvariantCulture)}" },
                    secrets = new Dictionary<string, string> { ["registration-token"] = "runner-registration-token" },
                }).ExpectAsync(HttpStatusCode.Created);
            }
        });
        await Engine.ReconcileAsync();
    }

    /// <summary>Polls the rollout until <paramref name="done"/> holds for it; answers it.</summary>
    public async Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        var admin = As("platform-admin");
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var rollout = await admin.GetAsync($"/api/v1/rollouts/{id}").ExpectAsync(HttpStatusCode.OK);
            if (done(rollout))
            {
                return rollout;
            }

            Assert.True(DateTime.UtcNow < until, $"rollout {id} did not get there in time: {rollout}");
            await Task.Delay(200);
        }
    }

    public async Task<JsonElement> InstanceAsync(string tenant, string name) =>
        await As("platform-admin").GetAsync($"/api/v1/tenants/{tenant}/instances/{name}").ExpectAsync(HttpStatusCode.OK);

    /// <summary>The subjects of the commits on the remote's branch, newest first.</summary>
    public IReadOnlyList<string> CommitSubjects() => GitCli.Run(Repository, "log", "--format=%s", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public async Task DisposeAsync()
    {
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        Factory.Dispose();
    }
}
