using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Server.Tests.Rollouts;

/// <summary>
/// Gantry with the shipped catalog, whose qdrant offering also lists 1.14 charts (so its one-minor-step rule can be
/// crossed), a clock the test moves, and tenants <see cref="TenantA"/> (admin, operator) and <see cref="TenantB"/> (admin).
/// </summary>
public sealed class FleetWorld : IAsyncLifetime, IDisposable
{
    public const string TenantA = "fleet-a";
    public const string TenantB = "fleet-b";
    public const string Password = "a long enough test password";

    private readonly TempFolder _catalog = new("gantry-fleet-catalog");
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public GantryServerFactory Factory { get; private set; } = null!;

    public HttpClient As(string who) => Factory.CreateClient().WithBearer(_tokens[who]);

    public async Task InitializeAsync()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "catalog"), "*.yaml"))
        {
            var text = File.ReadAllText(file).Replace("\"1.13.6\"]", "\"1.13.6\", \"1.14.0\", \"1.14.1\"]", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(_catalog.Path, Path.GetFileName(file)), text);
        }

        Factory = new GantryServerFactory()
            .With("Catalog:Path", _catalog.Path)
            .WithServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Time);
            });
        var admin = await Factory.CreateAdminClientAsync();
        _tokens["platform-admin"] = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = tenant }).ExpectAsync(HttpStatusCode.Created);
        }

        foreach (var (user, tenant, role) in new[] { ("a-admin", TenantA, "admin"), ("a-operator", TenantA, "operator"), ("b-admin", TenantB, "admin") })
        {
            var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password })
                .ExpectAsync(HttpStatusCode.Created);
            await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/members/{created.GetProperty("id").GetString()}", new { role })
                .ExpectAsync(HttpStatusCode.OK);
            _tokens[user] = (await Factory.CreateClient().LoginAsync(user, Password)).GetProperty("access_token").GetString()!;
        }
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Factory?.Dispose();
        _catalog.Dispose();
    }
}
