using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests;

public sealed class HealthTests : IDisposable
{
    private readonly GantryServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Liveness_answers_200_while_the_process_serves()
    {
        var response = await _factory.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Hc_reports_the_time_since_the_process_started_not_since_the_check_was_made()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var started = process.StartTime.ToUniversalTime();
        var wait = TimeSpan.FromSeconds(2) - (DateTime.UtcNow - started);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var body = await _factory.CreateClient().GetFromJsonAsync<JsonElement>("/hc?format=json");
        var app = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "app");
        var description = app.GetProperty("description").GetString()!;
        var uptime = TimeSpan.ParseExact(description[(description.LastIndexOf("up ", StringComparison.Ordinal) + 3)..], @"d\.hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture);

        Assert.InRange(uptime, TimeSpan.FromSeconds(1), DateTime.UtcNow - started + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Readiness_checks_database_migrations_and_git()
    {
        var response = await _factory.CreateClient().GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = await ChecksAsync(response);
        Assert.Equal(["database", "git", "migrations", "serving"], checks.Keys.Order());
        Assert.All(checks.Values, status => Assert.Equal("Healthy", status));
    }

    [Fact]
    public async Task Hc_json_reports_every_check_with_status_and_duration()
    {
        var response = await _factory.CreateClient().GetAsync("/hc?format=json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var names = body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order();
        Assert.Equal(["app", "database", "engine-notifications", "environment-claims", "git", "migrations", "sealing-keys", "serving", "storage"], names);
        Assert.All(body.GetProperty("checks").EnumerateArray(), c => Assert.True(c.GetProperty("duration_ms").GetDouble() >= 0));

        // Figures for monitoring: free disk, and ready sealing key pairs out of the pool's capacity.
        var checks = body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.True(checks["storage"].GetProperty("data").GetProperty("free_mb").GetInt64() > 0);
        var keys = checks["sealing-keys"].GetProperty("data");
        Assert.InRange(keys.GetProperty("ready").GetInt64(), 0, keys.GetProperty("capacity").GetInt64());
        Assert.Contains("sealing key pairs ready", checks["sealing-keys"].GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hc_without_format_is_an_html_page()
    {
        var response = await _factory.CreateClient().GetAsync("/hc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<td>migrations</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public Task Readiness_flips_to_503_naming_the_database_when_its_file_is_gone_and_back_when_restored() =>
        AssertReadinessFlipsAsync(
            failing: "database",
            healthy: "git",
            breakIt: () => File.Move(DatabaseFile, DatabaseFile + ".aside"),
            restore: () => File.Move(DatabaseFile + ".aside", DatabaseFile));

    [Fact]
    public Task Readiness_flips_to_503_naming_git_when_the_repository_is_removed_and_back_when_restored() =>
        AssertReadinessFlipsAsync(
            failing: "git",
            healthy: "database",
            breakIt: () => Directory.Move(RepositoryFolder, RepositoryFolder + ".aside"),
            restore: () => Directory.Move(RepositoryFolder + ".aside", RepositoryFolder));

    private string DatabaseFile => Path.Combine(_factory.DataDir, "gantry.db");

    private string RepositoryFolder => Path.Combine(_factory.DataDir, "state.git");

    private async Task AssertReadinessFlipsAsync(string failing, string healthy, Action breakIt, Action restore)
    {
        var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);

        breakIt();
        try
        {
            var broken = await client.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, broken.StatusCode);
            var checks = await ChecksAsync(broken);
            Assert.Equal("Unhealthy", checks[failing]);
            Assert.Equal("Healthy", checks[healthy]);

            // /hc says the same, in both of its forms.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/hc?format=json")).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/hc")).StatusCode);
        }
        finally
        {
            restore();
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task A_corrupt_database_file_makes_readiness_fail()
    {
        var client = _factory.CreateClient();
        var database = DatabaseFile;
        var original = await File.ReadAllBytesAsync(database);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        await File.WriteAllTextAsync(database, "this is not a database, it is a text file that happens to be long enough to have a header");
        try
        {
            var checks = await ChecksAsync(await client.GetAsync("/readyz"));
            Assert.Equal("Unhealthy", checks["database"]);
        }
        finally
        {
            await File.WriteAllBytesAsync(database, original);
        }
    }

    private static async Task<Dictionary<string, string>> ChecksAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!);
    }
}
