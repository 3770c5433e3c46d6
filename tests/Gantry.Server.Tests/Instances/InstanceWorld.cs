using System.Net;
using Gantry.Git.Testing;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Instances;

/// <summary>
/// Gantry pushing to a real Git remote (git http-backend behind nginx with basic auth), with tenant
/// <see cref="Tenant"/> (an operator and a viewer) and tenant <see cref="Other"/>.
/// </summary>
public sealed class InstanceWorld : IAsyncLifetime
{
    public const string Tenant = "client1";
    public const string Other = "client2";
    public const string Password = "a long enough test password";

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public GitHttpServer Remote { get; } = new();

    public GantryServerFactory Factory { get; private set; } = null!;

    /// <summary>Every log line of the server, at every level: searched for secrets.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    public string RemoteRepository => Path.Combine(Remote.RepositoriesPath, "state.git");

    public HttpClient As(string who) => Factory.CreateClient().WithBearer(_tokens[who]);

    public string Token(string who) => _tokens[who];

    public async Task InitializeAsync()
    {
        Remote.CreateRepository("state.git");
        Factory = new GantryServerFactory()
            .With("Git:Remote", Remote.Url("state.git"))
            .With("Git:Username", GitHttpServer.User)
            .With("Git:Password", Remote.Password)
            .With("Index:RepairInterval", "01:00:00") // tests run the index repair's passes themselves
            .With("Logging:LogLevel:Default", "Trace")
            .With("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
            .WithLogger(Logs);

        var admin = await Factory.CreateAdminClientAsync();
        _tokens["platform-admin"] = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        foreach (var tenant in new[] { Tenant, Other })
        {
            await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = tenant, quotas = new { maxInstances = 50, maxReplicasPerInstance = 5 } })
                .ExpectAsync(HttpStatusCode.Created);
        }

        foreach (var (user, tenant, role) in new[] { ("operator", Tenant, "operator"), ("viewer", Tenant, "viewer"), ("other", Other, "admin") })
        {
            var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password, email = $"{user}@example.com" })
                .ExpectAsync(HttpStatusCode.Created);
            await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/members/{created.GetProperty("id").GetString()}", new { role })
                .ExpectAsync(HttpStatusCode.OK);
            _tokens[user] = (await Factory.CreateClient().LoginAsync(user, Password)).GetProperty("access_token").GetString()!;
        }

        // The other tenant has an instance from the start, so the remote has a main branch before any test runs.
        await As("other").SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{Other}/instances/neighbour", new { offering = "qdrant" })
            .ExpectAsync(HttpStatusCode.Created);
    }

    /// <summary>Runs the git CLI against the remote's bare repository: the reference for what was pushed.</summary>
    public string Git(params string[] arguments) => GitCli.Run(RemoteRepository, arguments);

    public Task DisposeAsync()
    {
        Factory.Dispose();
        Remote.Dispose();
        return Task.CompletedTask;
    }
}
