using System.Net;
using Gantry.Server.ChangeRequests;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.ChangeRequests;

/// <summary>
/// Gantry with the <see cref="StateFileChangeHandler"/> installed and two pools: <see cref="PoolA"/> with a viewer,
/// an operator and two admins, and <see cref="PoolB"/> with one admin.
/// </summary>
public sealed class ChangeRequestWorld : IAsyncLifetime
{
    public const string PoolA = "pool-a";
    public const string PoolB = "pool-b";
    public const string Password = "a long enough test password";

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public GantryServerFactory Factory { get; } = new GantryServerFactory()
        .WithServices(services => services.AddChangeRequestHandler<StateFileChangeHandler>());

    public Dictionary<string, string> UserIds { get; } = new(StringComparer.Ordinal);

    public HttpClient As(string who) => Factory.CreateClient().WithBearer(_tokens[who]);

    public async Task InitializeAsync()
    {
        var admin = await Factory.CreateAdminClientAsync();
        _tokens["platform-admin"] = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        foreach (var pool in new[] { PoolA, PoolB })
        {
            await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = pool }).ExpectAsync(HttpStatusCode.Created);
        }

        foreach (var (user, pool, role) in new[]
        {
            ("a-viewer", PoolA, "viewer"), ("a-operator", PoolA, "operator"), ("a-admin", PoolA, "admin"), ("a-admin2", PoolA, "admin"),
            ("b-admin", PoolB, "admin"),
        })
        {
            var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password })
                .ExpectAsync(HttpStatusCode.Created);
            UserIds[user] = created.GetProperty("id").GetString()!;
            await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{pool}/members/{UserIds[user]}", new { role }).ExpectAsync(HttpStatusCode.OK);
            _tokens[user] = (await Factory.CreateClient().LoginAsync(user, Password)).GetProperty("access_token").GetString()!;
        }
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}
