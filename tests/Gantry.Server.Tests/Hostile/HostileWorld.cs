using System.Net;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing.Hostile;

namespace Gantry.Server.Tests.Hostile;

/// <summary>
/// Gantry on its embedded defaults, over real HTTP on loopback, with two tenants, each with an operator, an instance and an
/// environment whose names exist nowhere else, so an answer that holds it is a leak: <see cref="OwnTenant"/> (the fuzzing caller's) and <see cref="OtherTenant"/>.
/// </summary>
public sealed class HostileWorld : IAsyncLifetime
{
    public const string Password = "a long enough test password";

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    // Port 0: each world (and each test run beside another engineer's) takes a free loopback port.
    public GantryServerFactory Factory { get; } = new GantryServerFactory().With("urls", "http://127.0.0.1:0");

    public string OwnTenant => $"own-{_suffix}";

    public string OtherTenant => $"other-{_suffix}";

    public string OwnInstance => $"mine-{_suffix}";

    public string OtherInstance => $"theirs-{_suffix}";

    public string OwnEnvironment => $"dev-mine-{_suffix}";

    public string OtherEnvironment => $"dev-theirs-{_suffix}";

    public IReadOnlyList<ApiOperation> Operations { get; private set; } = [];

    public IReadOnlyDictionary<Caller, string?> Tokens { get; private set; } = new Dictionary<Caller, string?>();

    /// <summary>The names of each caller's tenant that no other caller may see.</summary>
    public IReadOnlyList<string> NamesOf(Caller caller) => caller switch
    {
        Caller.Owner => [OwnTenant, OwnInstance, OwnEnvironment],
        Caller.Foreign => [OtherTenant, OtherInstance, OtherEnvironment],
        _ => [],
    };

    public IReadOnlyList<string> ForeignTo(Caller caller) => caller switch
    {
        Caller.Owner => NamesOf(Caller.Foreign),
        Caller.Foreign => NamesOf(Caller.Owner),
        _ => [.. NamesOf(Caller.Owner), .. NamesOf(Caller.Foreign)],
    };

    public async Task InitializeAsync()
    {
        // Kestrel on loopback, not the in-memory test server: bytes such as %00 in a path reach the real parser.
        Factory.UseKestrel();
        Factory.StartServer();
        var admin = await Factory.CreateAdminClientAsync();
        var tokens = new Dictionary<Caller, string?> { [Caller.Anonymous] = null };
        // Environments live in the configured pools (tenants of those names); the pools' names are public, the environments' are not.
        foreach (var (caller, tenant, instance, pool, environment) in new[]
        {
            (Caller.Owner, OwnTenant, OwnInstance, "general-restricted", OwnEnvironment), (Caller.Foreign, OtherTenant, OtherInstance, "general-public", OtherEnvironment),
        })
        {
            var user = $"{tenant}-operator";
            var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password }).ExpectAsync(HttpStatusCode.Created);
            foreach (var owned in new[] { tenant, pool })
            {
                await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = owned }).ExpectAsync(HttpStatusCode.Created);
                await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{owned}/members/{created.GetProperty("id").GetString()}", new { role = "operator" })
                    .ExpectAsync(HttpStatusCode.OK);
            }

            var token = (await Factory.CreateClient().LoginAsync(user, Password)).GetProperty("access_token").GetString()!;
            await Factory.CreateClient().WithBearer(token).SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/instances/{instance}", new { offering = "qdrant" })
                .ExpectAsync(HttpStatusCode.Created);
            await Factory.CreateClient().WithBearer(token).SendJsonAsync(HttpMethod.Post, "/api/v1/environments", new
            {
                environment_name = environment, environment_type = "dev", environment_pool = pool, deploy_only_specified = true,
                services = new Dictionary<string, string> { ["auth-service"] = "v2.1.0" },
            }).ExpectAsync(HttpStatusCode.Created);
            tokens[caller] = token;
        }

        tokens[Caller.Forged] = HostileValues.ForgedTokens[0];
        Tokens = tokens;
        Operations = HostileOperations.Read(JsonDocument.Parse(await Factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement);
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}
