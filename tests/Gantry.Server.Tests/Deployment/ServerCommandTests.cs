using System.Security.Cryptography;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Npgsql;

namespace Gantry.Server.Tests.Deployment;

/// <summary>The server executable's commands as a real process: <c>migrate</c>, <c>check --deploy</c>, a strict start.</summary>
public sealed class ServerCommandTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly TempFolder _folder = new("gantry-commands");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Migrate_applies_the_schema_and_exits_0_and_a_second_run_applies_nothing()
    {
        var dataDir = _folder.Combine("data");

        var (firstExit, firstOutput) = await RunAsync("migrate", ["--data-dir", dataDir]);
        var (secondExit, secondOutput) = await RunAsync("migrate", ["--data-dir", dataDir]);

        Assert.Equal(0, firstExit);
        Assert.DoesNotContain("applied 0 migration(s)", firstOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dataDir, "gantry.db")));
        Assert.Equal(0, secondExit);
        Assert.Contains("applied 0 migration(s)", secondOutput, StringComparison.Ordinal);
        Assert.Contains($"schema version {Data.Migrations.Schema.LatestVersion}", secondOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Three_migrate_runs_at_once_on_one_PostgreSQL_database_all_succeed_and_apply_each_migration_once()
    {
        // The init containers of three replicas starting together.
        var connectionString = await postgres.CreateDatabaseAsync();
        var runs = Enumerable.Range(0, 3).Select(i => RunAsync("migrate", ["--data-dir", _folder.Combine($"data-{i}")], new Dictionary<string, string>
        {
            ["Database__Provider"] = "postgresql",
            ["Database__ConnectionString"] = connectionString,
        }));

        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.True(r.Exit == 0, r.Output));
        var applied = results.Sum(r => int.Parse(r.Output.Split("applied ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Data.Migrations.Schema.Migrations.Count, applied);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations", connection);
        Assert.Equal((long)Data.Migrations.Schema.Migrations.Count, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Check_deploy_on_the_defaults_lists_the_expected_findings_and_exits_1()
    {
        var (exit, output) = await RunAsync("check", ["--deploy", "--data-dir", _folder.Combine("data")]);

        Assert.Equal(1, exit);
        Assert.Equal(["auth.W001", "git.W001", "http.E001", "openapi.W001", "sealing.W001"], FindingIds(output));
        Assert.Contains("fix: Gantry:TrustedProxies", output, StringComparison.Ordinal);
        Assert.Contains("1 error(s), 4 warning(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_deploy_with_production_settings_finds_nothing_and_exits_0()
    {
        var (exit, output) = await RunAsync("check", ["--deploy", "--data-dir", _folder.Combine("data")], ProductionSettings());

        Assert.True(exit == 0, output);
        Assert.Empty(FindingIds(output));
        Assert.Contains("0 error(s), 0 warning(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_without_deploy_reports_a_bad_setting_as_a_finding_and_exits_1()
    {
        var (exit, output) = await RunAsync("check", ["--data-dir", _folder.Combine("data"), "--Database:Provider", "oracle"]);

        Assert.Equal(1, exit);
        Assert.Contains("config.E001", output, StringComparison.Ordinal);
        Assert.Contains("Database:Provider", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_reports_every_bad_telemetry_setting_beside_the_others()
    {
        var (exit, output) = await RunAsync("check", ["--data-dir", _folder.Combine("data"),
            "--Telemetry:MetricsAllowedNetworks:0", "pods", "--Telemetry:OtlpEndpoint", "otel-collector:4317", "--Telemetry:OtlpProtocol", "udp"]);

        Assert.Equal(1, exit);
        Assert.Contains("Telemetry:MetricsAllowedNetworks entry 'pods'", output, StringComparison.Ordinal);
        Assert.Contains("Telemetry:OtlpEndpoint 'otel-collector:4317'", output, StringComparison.Ordinal);
        Assert.Contains("Telemetry:OtlpProtocol 'udp'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strict_production_start_refuses_with_the_findings_and_exit_2()
    {
        await using var server = ServerProcess.Start(["--data-dir", _folder.Combine("data")],
            new Dictionary<string, string> { ["Gantry__StrictProduction"] = "true", ["Gantry__Replicas"] = "3" });

        var exit = await server.WaitForExitAsync();

        Assert.Equal(2, exit);
        Assert.Contains("Gantry:StrictProduction", server.StandardError, StringComparison.Ordinal);
        foreach (var id in new[] { "http.E001", "database.E001", "auth.E001", "status.E001", "git.E003", "buckets.E001" })
        {
            Assert.Contains(id, server.StandardError, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Log in as:", server.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_exits_64_with_the_usage()
    {
        var (exit, output) = await RunAsync("frobnicate", []);

        Assert.Equal(64, exit);
        Assert.Contains("usage:", output, StringComparison.Ordinal);
    }

    private Dictionary<string, string> ProductionSettings()
    {
        var secrets = Directory.CreateDirectory(_folder.Combine("secrets")).FullName;
        var gitToken = Path.Combine(secrets, "git-token");
        var masterKey = Path.Combine(secrets, "escrow-master-key");
        File.WriteAllText(gitToken, "token");
        File.WriteAllText(masterKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return new Dictionary<string, string>
        {
            ["Gantry__TrustedProxies__0"] = "10.0.0.0/8",
            ["Telemetry__MetricsAllowedNetworks__0"] = "10.0.0.0/8",
            ["Gantry__ExposeApiReference"] = "false",
            ["Auth__Issuer"] = "https://gantry.example.com",
            ["Git__Remote"] = "https://git.example.com/platform/state.git",
            ["Git__Username"] = "gantry",
            ["Git__PasswordFile"] = gitToken,
            ["Sealing__Escrow__MasterKeyFile"] = masterKey,
        };
    }

    private static List<string> FindingIds(string output) =>
        [.. output.Split('\n').Select(l => l.Split(' ')[0]).Where(w => w.Contains(".E0", StringComparison.Ordinal) || w.Contains(".W0", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private static async Task<(int Exit, string Output)> RunAsync(string command, string[] arguments, Dictionary<string, string>? environment = null)
    {
        await using var process = ServerProcess.Start(arguments, environment, command);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return (exit, process.StandardOutput + process.StandardError);
    }
}
