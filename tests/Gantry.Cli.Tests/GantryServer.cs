extern alias server;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Gantry.Cli.Tests;

/// <summary>
/// A real Gantry, in-process on a loopback port, on its embedded defaults (temp SQLite file and bare Git repository):
/// tenants <see cref="Tenant"/> and <see cref="Other"/>, an admin of each, and a Flux cluster bound to
/// <see cref="Tenant"/> whose signed events stand in for the engine. Each test logs in with its own config file.
/// </summary>
public class GantryServer : IAsyncLifetime, IDisposable
{
    public const string Tenant = "acme";
    public const string Other = "beta";
    public const string Password = "a long enough test password";
    public const string Cluster = "flux-acme";

    /// <summary>A team pool (tenant) for environments, its one member <see cref="PoolUser"/>, and a Flux cluster bound to it.</summary>
    public const string Pool = "team1";
    public const string PoolUser = "team1-dev";
    public const string PoolCluster = "flux-team1";

    /// <summary>The bootstrap platform administrator's password (user <c>admin</c>).</summary>
    public const string AdminPassword = "test-admin-password";

    private readonly Gantry.Testing.TempFolder _data = new("gantry-cli-server");
    private Factory _factory = null!;
    private string _clusterSecret = null!;
    private string _poolClusterSecret = null!;

    public Uri Url { get; private set; } = null!;

    /// <summary>The OpenID Connect provider the server trusts (name <c>corp</c>; group team-acme is an operator of acme).</summary>
    public TestDeviceIssuer Issuer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Issuer = await TestDeviceIssuer.StartAsync();
        _factory = new Factory(_data.Path, Issuer.Authority, Configure);
        _factory.UseKestrel();
        _factory.StartServer();
        using var probe = _factory.CreateClient();
        Url = probe.BaseAddress!;

        using var admin = await ClientAsAsync("admin", AdminPassword);
        foreach (var tenant in new[] { Tenant, Other, Pool })
        {
            await SendAsync(admin, HttpMethod.Post, "/api/v1/tenants", new { name = tenant, quotas = new { maxInstances = 50, maxReplicasPerInstance = 5 } });
        }

        foreach (var (user, tenant) in new[] { ("acme-admin", Tenant), ("beta-admin", Other), (PoolUser, Pool) })
        {
            var created = await SendAsync(admin, HttpMethod.Post, "/api/v1/users", new { username = user, password = Password, email = $"{user}@example.com" });
            await SendAsync(admin, HttpMethod.Put, $"/api/v1/tenants/{tenant}/members/{created.GetProperty("id").GetString()}", new { role = "admin" });
        }

        var cluster = await SendAsync(admin, HttpMethod.Post, "/api/v1/clusters", new { name = Cluster, engine = "flux", tenants = new[] { Tenant } });
        _clusterSecret = cluster.GetProperty("webhookSecret").GetString()!;
        var poolCluster = await SendAsync(admin, HttpMethod.Post, "/api/v1/clusters", new { name = PoolCluster, engine = "flux", tenants = new[] { Pool } });
        _poolClusterSecret = poolCluster.GetProperty("webhookSecret").GetString()!;
        await StartedAsync();
    }

    /// <summary>The server's services, for what a test reaches past the API (a fake clock).</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>More settings or services for a server of its own (the shared one has none).</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    /// <summary>Runs once the server is up with its tenants and users.</summary>
    protected virtual Task StartedAsync() => Task.CompletedTask;

    /// <summary>
    /// Posts a Flux event about one service of an environment of <see cref="Pool"/>: its HelmRelease in the
    /// environment's namespace, with the annotations Gantry renders on it (docs/status.md).
    /// </summary>
    public Task PostServiceEventAsync(string environment, string service, string version, string severity, string reason, string message) =>
        PostSignedAsync(PoolCluster, _poolClusterSecret, new
        {
            involvedObject = new { kind = "HelmRelease", @namespace = environment, name = service, uid = "0b0c7a8e-5f57-4d5e-9a4c-2f1d6f0e7a11", apiVersion = "helm.toolkit.fluxcd.io/v2", resourceVersion = "1" },
            severity,
            timestamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            message,
            reason,
            metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["gantry-environment"] = environment,
                ["gantry-service"] = service,
                ["gantry-tenant"] = Pool,
                ["gantry-version"] = version,
            },
            reportingController = "helm-controller",
        });

    /// <summary>
    /// Posts a Flux notification-controller event about the instance's HelmRelease, signed as Flux's generic-hmac
    /// provider signs it (as tests/Gantry.Server.Tests/Status/StatusWorld.cs does).
    /// </summary>
    public async Task PostFluxEventAsync(string instance, long generation, string severity, string reason, string message)
    {
        await PostSignedAsync(Cluster, _clusterSecret, new
        {
            involvedObject = new { kind = "HelmRelease", @namespace = Tenant, name = instance, uid = "7d0cdc51-ddcf-4743-b223-83ca5c699632", apiVersion = "helm.toolkit.fluxcd.io/v2", resourceVersion = "56921" },
            severity,
            timestamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            message,
            reason,
            metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["gantry-generation"] = generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["gantry-instance"] = instance,
                ["gantry-tenant"] = Tenant,
                ["revision"] = "1.13.6",
            },
            reportingController = "helm-controller",
        });
    }

    private async Task PostSignedAsync(string cluster, string secret, object payload)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload);
        using var http = new HttpClient { BaseAddress = Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/webhooks/flux/{cluster}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>An HTTP client signed in as the user, for what the CLI does not do (yet).</summary>
    public async Task<HttpClient> ClientAsAsync(string user, string password = Password)
    {
        var http = new HttpClient { BaseAddress = Url };
        var login = await http.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = user, ["password"] = password,
        }));
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public virtual async Task DisposeAsync()
    {
        Dispose();
        if (Issuer is not null)
        {
            await Issuer.DisposeAsync();
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _factory?.Dispose();
            _data.Dispose();
        }
    }

    protected static async Task<JsonElement> SendAsync(HttpClient client, HttpMethod method, string path, object body)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private sealed class Factory(string dataDir, string oidcAuthority, Action<IWebHostBuilder> configure) : WebApplicationFactory<server::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            configure(builder);
            builder.UseEnvironment("Production");
            builder.UseSetting("urls", "http://127.0.0.1:0");
            builder.UseSetting("Gantry:DataDir", dataDir);
            builder.UseSetting("GANTRY_BOOTSTRAP_ADMIN_PASSWORD", AdminPassword);
            builder.UseSetting("Sealing:KeyPool:KeySizeBits", "2048");
            builder.UseSetting("Sealing:KeyPool:Capacity", "1");
            builder.UseSetting("Status:FeedPollInterval", "00:00:00.200");
            builder.UseSetting("Auth:Oidc:Issuers:0:Name", "corp");
            builder.UseSetting("Auth:Oidc:Issuers:0:Authority", oidcAuthority);
            builder.UseSetting("Auth:Oidc:Issuers:0:Audience", TestDeviceIssuer.Audience);
            builder.UseSetting("Auth:Oidc:Issuers:0:RequireHttpsMetadata", "false");
            builder.UseSetting("Auth:Oidc:Issuers:0:CliClientId", TestDeviceIssuer.ClientId);
            builder.UseSetting("Auth:Oidc:Issuers:0:Rules:0:Claim", "groups");
            builder.UseSetting("Auth:Oidc:Issuers:0:Rules:0:Value", "team-acme");
            builder.UseSetting("Auth:Oidc:Issuers:0:Rules:0:Tenant", Tenant);
            builder.UseSetting("Auth:Oidc:Issuers:0:Rules:0:Role", "operator");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedGantryServer : ICollectionFixture<GantryServer>
{
    public const string Name = "gantry server";
}

/// <summary>One user's terminal: its own config file, so tests do not share contexts.</summary>
internal sealed class CliUser(GantryServer server) : IDisposable
{
    private readonly TempFolder _home = new();

    public string ConfigPath => Path.Combine(_home.Path, "config", "gantry", "config.json");

    public Dictionary<string, string> Environment { get; } = [];

    public async Task<CliResult> LoginAsync(string user, params string[] extra)
    {
        var result = await RunWithInputAsync(GantryServer.Password + "\n", ["login", server.Url.ToString(), "--username", user, "--password-stdin", .. extra]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result;
    }

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(string.Empty, args);

    /// <summary>Starts the real gantry binary and leaves it running, for commands that follow a stream.</summary>
    public RunningGantry Start(params string[] args) =>
        RunningGantry.Start(ProcessEnvironment(), args);

    /// <summary>Runs the real gantry binary as a process, with this user's config folder.</summary>
    public Task<CliResult> RunWithInputAsync(string stdin, params string[] args) => GantryProcess.RunAsync(stdin, ProcessEnvironment(), args);

    private Dictionary<string, string> ProcessEnvironment() => new(Environment) { ["XDG_CONFIG_HOME"] = Path.Combine(_home.Path, "config") };

    /// <summary>Runs and parses standard output as JSON, failing with stderr when the command failed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await RunAsync([.. args, "-o", "json"]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Equal(string.Empty, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    public void Dispose() => _home.Dispose();
}
