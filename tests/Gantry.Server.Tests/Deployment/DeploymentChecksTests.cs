using System.Security.Cryptography;
using System.Text.Json;
using Gantry.Server.Deployment;
using Gantry.Testing;
using Microsoft.Extensions.Configuration;

namespace Gantry.Server.Tests.Deployment;

/// <summary>Each check of the production checklist against settings given in memory.</summary>
public sealed class DeploymentChecksTests : IDisposable
{
    private readonly TempFolder _folder = new("gantry-checks");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Several_replicas_need_postgresql_a_git_remote_and_keys_every_replica_shares()
    {
        var ids = Ids(new() { ["Gantry:Replicas"] = "3" });

        Assert.Contains("database.E001", ids);
        Assert.Contains("git.E003", ids);
        Assert.Contains("auth.E001", ids);
        Assert.Contains("status.E001", ids);
        Assert.Contains("buckets.E001", ids);
        Assert.DoesNotContain("git.W001", ids);
    }

    [Theory]
    [InlineData("changeme", true)]
    [InlineData("admin", true)]
    [InlineData("Password123456789", true)]
    [InlineData("short-but-odd", true)]
    [InlineData("tq7Xc2LmR9vBz4KpWn8sHd3F", false)]
    public void A_weak_or_well_known_bootstrap_password_is_an_error(string password, bool weak)
    {
        var ids = Ids(new() { ["GANTRY_BOOTSTRAP_ADMIN_PASSWORD"] = password });

        Assert.Equal(weak, ids.Contains("admin.E001"));
    }

    [Theory]
    [InlineData("http://git.example.com/state.git", "gantry", "token", "git.E001")]
    [InlineData("https://git.example.com/state.git", null, null, "git.E002")]
    [InlineData("https://gantry:token@git.example.com/state.git", null, null, "git.W002")]
    public void A_git_remote_over_http_or_without_credentials_is_found(string remote, string? username, string? password, string expected)
    {
        var ids = Ids(new() { ["Git:Remote"] = remote, ["Git:Username"] = username, ["Git:Password"] = password });

        Assert.Contains(expected, ids);
        Assert.DoesNotContain("git.W001", ids);
    }

    [Fact]
    public void Any_cors_origin_debug_logging_and_an_escrow_key_inside_the_data_folder_are_found()
    {
        var dataDir = _folder.Combine("data");
        var ids = Ids(new()
        {
            ["Gantry:DataDir"] = dataDir,
            ["Gantry:CorsOrigins:0"] = "*",
            ["Logging:Console:LogLevel:Gantry"] = "Trace",
            ["Sealing:Escrow:MasterKeyFile"] = Path.Combine(dataDir, "master.key"),
        });

        Assert.Contains("cors.E001", ids);
        Assert.Contains("logging.W001", ids);
        Assert.Contains("sealing.E001", ids);
        Assert.DoesNotContain("sealing.W001", ids);
    }

    [Fact]
    public void Metrics_open_to_anyone_behind_a_proxy_are_found()
    {
        var proxied = new Dictionary<string, string?> { ["Gantry:TrustedProxies:0"] = "10.0.0.0/8" };
        Assert.Contains("telemetry.W001", Ids(proxied));
        Assert.DoesNotContain("telemetry.W001", Ids(new(proxied) { ["Telemetry:MetricsAllowedNetworks:0"] = "10.0.0.0/8" }));
        Assert.DoesNotContain("telemetry.W001", Ids(new(proxied) { ["Telemetry:Metrics"] = "false" }));
        Assert.DoesNotContain("telemetry.W001", Ids(new()));
    }

    [Fact]
    public void Https_urls_or_a_trusted_proxy_satisfy_the_transport_check()
    {
        Assert.Contains("http.E001", Ids(new() { ["urls"] = "http://0.0.0.0:8080" }));
        Assert.DoesNotContain("http.E001", Ids(new() { ["urls"] = "https://0.0.0.0:8443" }));
        Assert.DoesNotContain("http.E001", Ids(new() { ["Gantry:TrustedProxies:0"] = "10.0.0.0/8" }));
    }

    [Fact]
    public void A_signing_keys_folder_must_hold_p256_keys()
    {
        var folder = Directory.CreateDirectory(_folder.Combine("keys")).FullName;
        Dictionary<string, string?> settings = new() { ["Auth:SigningKeysFolder"] = folder, ["Gantry:Replicas"] = "3" };
        Assert.Contains("auth.E002", Ids(settings));

        WriteKey(folder, "p384.json", ECCurve.NamedCurves.nistP384);
        Assert.Contains("auth.E002", Ids(settings));

        File.Delete(Path.Combine(folder, "p384.json"));
        WriteKey(folder, "p256.json", ECCurve.NamedCurves.nistP256);
        var ids = Ids(settings);
        Assert.DoesNotContain("auth.E002", ids);
        Assert.DoesNotContain("auth.E001", ids);
    }

    [Fact]
    public void A_signing_key_file_with_a_key_twice_is_refused_naming_file_and_line()
    {
        var folder = Directory.CreateDirectory(_folder.Combine("keys-twice")).FullName;
        File.WriteAllText(Path.Combine(folder, "k.json"), "{\n  \"KeyId\": \"a\",\n  \"KeyId\": \"b\"\n}");

        Assert.Equal("k.json, line 3, byte 3: 'KeyId' is given twice; each key may appear once in an object.", Gantry.Server.Identity.SigningKeyStore.FindProblem(folder));
    }

    private static void WriteKey(string folder, string name, ECCurve curve)
    {
        using var key = ECDsa.Create(curve);
        File.WriteAllText(Path.Combine(folder, name), JsonSerializer.Serialize(new
        {
            KeyId = Path.GetFileNameWithoutExtension(name),
            CreatedAt = DateTimeOffset.UtcNow,
            PrivateKey = Convert.ToBase64String(key.ExportPkcs8PrivateKey()),
        }));
    }

    private List<string> Ids(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Gantry:DataDir", _folder.Combine("data"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return [.. new DeploymentChecks(configuration).Run().Select(f => f.Id)];
    }
}
