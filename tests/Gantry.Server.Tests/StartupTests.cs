using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests;

/// <summary>The server as a real process: exit codes, the banner, the bootstrap, SIGTERM.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly TempFolder _folder = new("gantry-start");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Unknown_database_provider_stops_the_start_with_the_key_named_and_a_non_zero_exit()
    {
        await using var server = ServerProcess.Start(["--data-dir", _folder.Combine("data"), "--Database:Provider", "oracle"]);

        var exitCode = await server.WaitForExitAsync();

        Assert.NotEqual(0, exitCode);
        var error = server.StandardError.Trim().Split('\n')[^1];
        Assert.StartsWith("gantry: cannot start:", error, StringComparison.Ordinal);
        Assert.Contains("Database:Provider", error, StringComparison.Ordinal);
        Assert.Contains("oracle", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unwritable_data_folder_stops_the_start_with_the_key_named()
    {
        // A regular file where the folder should be: unwritable even for root, unlike a chmod.
        var blocker = _folder.Combine("not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        await using var server = ServerProcess.Start([], new Dictionary<string, string> { ["Gantry__DataDir"] = Path.Combine(blocker, "data") });

        var exitCode = await server.WaitForExitAsync();

        Assert.NotEqual(0, exitCode);
        var error = server.StandardError.Trim().Split('\n')[^1];
        Assert.Contains("Gantry:DataDir", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_start_prints_a_generated_password_once_and_a_second_start_reuses_the_data_folder()
    {
        var dataDir = _folder.Combine("data");
        string firstPassword;
        await using (var first = ServerProcess.Start(["--data-dir", dataDir]))
        {
            await first.WaitUntilListeningAsync();
            var loginLine = first.StandardOutput.Split('\n').Single(l => l.Contains("Log in as:", StringComparison.Ordinal));
            firstPassword = loginLine.Split('/')[^1].Trim();
            Assert.Equal(24, firstPassword.Length);
            Assert.Contains(first.Address.ToString().TrimEnd('/'), first.StandardOutput, StringComparison.Ordinal);
            Assert.Contains(dataDir, first.StandardOutput, StringComparison.Ordinal);

            // The password is for the person at the console, never for the logs.
            Assert.DoesNotContain(firstPassword, first.StandardError, StringComparison.Ordinal);
            Assert.Single(first.StandardOutput.Split('\n'), l => l.Contains(firstPassword, StringComparison.Ordinal));
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        var hashBefore = await ReadAdminHashAsync(dataDir);
        await using (var second = ServerProcess.Start(["--data-dir", dataDir]))
        {
            await second.WaitUntilListeningAsync();
            Assert.DoesNotContain(firstPassword, second.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("password set at the first start", second.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Created platform administrator", second.StandardOutput, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = second.Address };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        }

        Assert.Equal(hashBefore, await ReadAdminHashAsync(dataDir));
        Assert.NotEqual(firstPassword, hashBefore);
    }

    [Fact]
    public async Task Bootstrap_password_comes_from_the_environment_when_set()
    {
        await using var server = ServerProcess.Start(
            ["--data-dir", _folder.Combine("data")],
            new Dictionary<string, string> { ["GANTRY_BOOTSTRAP_ADMIN_PASSWORD"] = "from-the-environment-123" });

        await server.WaitUntilListeningAsync();

        Assert.DoesNotContain("from-the-environment-123", server.StandardOutput + server.StandardError, StringComparison.Ordinal);
        Assert.Contains("GANTRY_BOOTSTRAP_ADMIN_PASSWORD", server.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_shuts_down_cleanly_and_closes_the_database()
    {
        await using var server = ServerProcess.Start(["--data-dir", _folder.Combine("data")]);
        await server.WaitUntilListeningAsync();

        server.Terminate();

        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains("Closed the sqlite metadata database", server.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_logs_record_requests_without_authorization_headers_or_query_strings()
    {
        await using var server = ServerProcess.Start(
            ["--data-dir", _folder.Combine("data")],
            new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "json" });
        await server.WaitUntilListeningAsync();
        using var http = new HttpClient { BaseAddress = server.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hc?format=json&token=query-secret-123");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "header-secret-456");

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        server.Terminate();
        await server.WaitForExitAsync();

        var logLines = server.StandardOutput.Split('\n').Where(l => l.StartsWith('{')).ToList();
        Assert.NotEmpty(logLines);
        Assert.All(logLines, l => System.Text.Json.JsonDocument.Parse(l).Dispose());
        Assert.Contains(logLines, l => l.Contains("GET /hc answered 200", StringComparison.Ordinal));
        Assert.DoesNotContain("query-secret-123", server.StandardOutput + server.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("header-secret-456", server.StandardOutput + server.StandardError, StringComparison.Ordinal);
    }

    private static async Task<string> ReadAdminHashAsync(string dataDir)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDir, "gantry.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT password_hash FROM users WHERE username = 'admin'";
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

public sealed class PostgresStartupTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly TempFolder _folder = new("gantry-start-pg");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Server_runs_on_postgresql_when_configured_and_migrates_it()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var server = ServerProcess.Start(
            ["--data-dir", _folder.Combine("data")],
            new Dictionary<string, string> { ["Database__Provider"] = "postgresql", ["Database__ConnectionString"] = connectionString });
        await server.WaitUntilListeningAsync();

        using var http = new HttpClient { BaseAddress = server.Address };
        var ready = await http.GetAsync("/readyz");
        var body = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("postgresql at postgresql://127.0.0.1", body, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.Combine("data"), "gantry.db")));
    }

    [Fact]
    public async Task Postgresql_without_a_connection_string_stops_the_start_with_the_key_named()
    {
        await using var server = ServerProcess.Start(
            ["--data-dir", _folder.Combine("data")],
            new Dictionary<string, string> { ["Database__Provider"] = "postgresql" });

        Assert.NotEqual(0, await server.WaitForExitAsync());
        Assert.Contains("Database:ConnectionString", server.StandardError, StringComparison.Ordinal);
    }
}
