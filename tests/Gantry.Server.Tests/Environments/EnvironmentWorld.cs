using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Gantry.Server.Environments;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Server.Tests.Environments;

/// <summary>
/// Gantry with its embedded defaults (environments bucket in the data folder, the shipped service catalog) on a
/// fake clock, with two pools as tenants: <see cref="PoolA"/> (john.doe operator, a-viewer viewer, a-admin admin) and
/// <see cref="PoolB"/> (jane.smith operator, b-admin admin).
/// </summary>
public sealed class EnvironmentWorld : IAsyncLifetime
{
    /// <summary>The team pool of the design's examples.</summary>
    public const string PoolA = "team1";
    public const string PoolB = "team2";
    public const string Password = "a long enough test password";

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);

    /// <summary>A world whose bucket watcher runs only when a test calls it (<see cref="EnvironmentBucketWatcher.ScanAsync"/>).</summary>
    public EnvironmentWorld()
    {
        _settings["Environments:WatchBucket"] = "false";
    }

    /// <summary>A world with extra settings (for example an S3 environments bucket); its bucket watcher polls.</summary>
    internal EnvironmentWorld(IReadOnlyDictionary<string, string?> settings)
    {
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public GantryServerFactory Factory { get; private set; } = null!;

    public string BucketFolder => Path.Combine(Factory.DataDir, "buckets", "environments");

    public HttpClient As(string who) => Factory.CreateClient().WithBearer(_tokens[who]);

    public async Task InitializeAsync()
    {
        Factory = new GantryServerFactory()
            .With("Buckets:SyncToDisk", "false")
            .WithServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Time);
            });
        foreach (var (key, value) in _settings)
        {
            Factory.With(key, value);
        }

        var admin = await Factory.CreateAdminClientAsync();
        _tokens["platform-admin"] = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        foreach (var pool in new[] { PoolA, PoolB })
        {
            await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = pool }).ExpectAsync(HttpStatusCode.Created);
        }

        foreach (var (user, pool, role) in new[] { ("john.doe", PoolA, "operator"), ("a-viewer", PoolA, "viewer"), ("a-admin", PoolA, "admin"), ("jane.smith", PoolB, "operator"), ("b-admin", PoolB, "admin") })
        {
            var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password })
                .ExpectAsync(HttpStatusCode.Created);
            await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{pool}/members/{created.GetProperty("id").GetString()}", new { role })
                .ExpectAsync(HttpStatusCode.OK);
            _tokens[user] = (await Factory.CreateClient().LoginAsync(user, Password)).GetProperty("access_token").GetString()!;
        }
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}
