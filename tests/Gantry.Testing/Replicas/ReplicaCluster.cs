using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gantry.Git.Testing;
using Xunit;

namespace Gantry.Testing.Replicas;

/// <summary>
/// Three Gantry server processes on one real PostgreSQL database and one Git smart-HTTP remote (git http-backend
/// behind nginx), all on loopback and started for the test run; every replica has its own data folder (its own local
/// clone) and shares the signing keys, as the prod overlay's pods do. Shared by the tests of a collection, and run by
/// <c>bench -- ha</c> with one replica or three.
/// </summary>
public sealed class ReplicaCluster : IAsyncLifetime, IDisposable
{
    public const int Size = 3;
    public const string Repository = "state.git";
    private const string AdminPassword = "replica-test-admin-password-7f3a";

    private readonly TempFolder _folder = new("gantry-replicas");
    private readonly PostgresServer _postgres = new();
    private GitHttpServer? _git;

    private readonly int _size;
    private readonly IReadOnlyDictionary<string, string>? _extraSettings;

    /// <summary>Three replicas, as the tests share them (xUnit makes a fixture through its one public constructor).</summary>
    public ReplicaCluster()
        : this(Size, null)
    {
    }

    private ReplicaCluster(int size, IReadOnlyDictionary<string, string>? extraSettings)
    {
        _size = size;
        _extraSettings = extraSettings;
    }

    /// <summary><paramref name="size"/> replicas, with settings added to (or replacing) the cluster's own.</summary>
    public static ReplicaCluster Create(int size, IReadOnlyDictionary<string, string>? extraSettings = null) => new(size, extraSettings);

    public IReadOnlyList<GantryReplica> Replicas { get; private set; } = [];

    public GitHttpServer Git => _git ?? throw new InvalidOperationException("The cluster is not started.");

    public PostgresServer Postgres => _postgres;

    /// <summary>The bare repository the Git server serves: what every replica pushes to.</summary>
    public string RemotePath => Path.Combine(Git.RepositoriesPath, Repository);

    public string Token { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        var connection = await _postgres.CreateDatabaseAsync();
        _git = new GitHttpServer();
        _git.CreateRepository(Repository);
        var keys = _folder.Combine("signing-keys");
        Directory.CreateDirectory(keys);
        WriteSigningKey(keys);

        var settings = new Dictionary<string, string>
        {
            ["GANTRY_BOOTSTRAP_ADMIN_PASSWORD"] = AdminPassword,
            ["Database__Provider"] = "postgresql",
            ["Database__ConnectionString"] = connection,
            ["Git__Remote"] = _git.Url(Repository),
            ["Git__Username"] = GitHttpServer.User,
            ["Git__Password"] = _git.Password,
            ["Git__RemoteTimeout"] = "00:00:20",
            ["Auth__SigningKeysFolder"] = keys,
            ["Auth__AccessTokenMinutes"] = "60",
            ["Gantry__Replicas"] = _size.ToString(CultureInfo.InvariantCulture),
            ["Gantry__ShutdownDelay"] = "00:00:02",
            // Index rows a killed replica left behind are repaired within seconds, so the kill tests can wait for it.
            ["Index__RepairInterval"] = "00:00:02",
            ["Index__RepairMinimumAge"] = "00:00:03",
            ["Sealing__KeyPool__Capacity"] = "1",
            ["Sealing__KeyPool__KeySizeBits"] = "2048",
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_TieredPGO"] = "0",
        };
        foreach (var (key, value) in _extraSettings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        Replicas = [.. Enumerable.Range(0, _size).Select(i => new GantryReplica(i, Ports.Free(), _folder.Combine($"replica-{i}"), settings))];

        // The first start creates the administrator; the other two then start together on the migrated database.
        Replicas[0].Start();
        await Replicas[0].WaitReadyAsync(TimeSpan.FromSeconds(90));
        foreach (var replica in Replicas.Skip(1))
        {
            replica.Start();
        }

        await Task.WhenAll(Replicas.Skip(1).Select(r => r.WaitReadyAsync(TimeSpan.FromSeconds(90))));
        Token = await LoginAsync(Replicas[0]);
        foreach (var replica in Replicas)
        {
            replica.UseToken(Token);
        }
    }

    /// <summary>Creates a tenant through replica 0.</summary>
    public async Task CreateTenantAsync(string name)
    {
        using var response = await Replicas[0].Http.PostAsJsonAsync("/api/v1/tenants", new { name });
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"Creating tenant {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(Replicas.Select(r => r.DisposeAsync().AsTask()));
        await _postgres.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        _git?.Dispose();
        _folder.Dispose();
    }

    private static async Task<string> LoginAsync(GantryReplica replica)
    {
        using var response = await replica.Http.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = "admin",
            ["password"] = AdminPassword,
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    // Auth:SigningKeysFolder: one ES256 key every replica reads, so a token from one is accepted by all (docs/deployment.md).
    private static void WriteSigningKey(string folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var file = new { KeyId = "replicas1", CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-1), PrivateKey = Convert.ToBase64String(key.ExportPkcs8PrivateKey()) };
        File.WriteAllText(Path.Combine(folder, "replicas1.json"), JsonSerializer.Serialize(file));
    }
}
