using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Telemetry;

/// <summary>
/// The Prometheus scrape at <c>/metrics</c>: anonymous, Gantry's own instruments beside ASP.NET Core's and the runtime's,
/// and labels that stay bounded however many tenants and instances there are.
/// </summary>
public sealed partial class MetricsTests : IAsyncLifetime, IDisposable
{
    // Enough for anything per instance to show as thousands of series; `Gantry.Bench api` covers 100,000.
    private const int Instances = 2_000;
    private const int Tenants = 4;
    private const string MePath = "/api/v1/auth/me";

    private readonly GantryServerFactory _factory = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = await _factory.CreateAdminClientAsync();
        for (var t = 0; t < Tenants; t++)
        {
            await _admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = TenantName(t), quotas = new { maxInstances = Instances, maxReplicasPerInstance = 5 } })
                .ExpectAsync(HttpStatusCode.Created);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Scrape_is_anonymous_and_counts_changes_by_operation_and_outcome()
    {
        await Create(0, 3);
        await _admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{TenantName(0)}/instances/metrics-0-0", new { offering = "no-such-offering" })
            .ExpectAsync(HttpStatusCode.BadRequest);

        var anonymous = _factory.CreateClient();
        var response = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();

        var series = Parse(text);
        Assert.Contains(series, s => s.Name == "gantry_changes_total" && s.Labels["gantry_operation"] == "PutInstance" && s.Labels["gantry_outcome"] == "committed");
        Assert.Contains(series, s => s.Name == "gantry_changes_total" && s.Labels["gantry_operation"] == "PutInstance" && s.Labels["gantry_outcome"] == "invalid");
        Assert.Contains(series, s => s.Name.StartsWith("gantry_git_batch_size", StringComparison.Ordinal));
        Assert.Contains(series, s => s.Name.StartsWith("gantry_git_commit_duration", StringComparison.Ordinal));
        Assert.Contains(series, s => s.Name == "gantry_git_queue_depth");
        Assert.Contains(series, s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal)
            && s.Labels.GetValueOrDefault("http_route") == "/api/v1/tenants/{tenant}/instances/{name}");
        Assert.Contains(series, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        Assert.Contains(series, s => s.Name == "gantry_sealing_values_total" && s.Labels["gantry_secret_origin"] == "generated");

        // The environments bucket's watcher lists it from the start.
        Assert.Contains(series, s => s.Name == "gantry_bucket_operations_total" && s.Labels["gantry_bucket"] == "environments"
            && s.Labels["gantry_bucket_operation"] == "list" && s.Labels["gantry_outcome"] == "ok");
    }

    [Fact]
    public async Task A_scrape_from_outside_the_allowed_networks_finds_nothing()
    {
        // The test server has no client address, as a request from an address outside every network would be treated.
        using var factory = new GantryServerFactory().With("Telemetry:MetricsAllowedNetworks:0", "10.0.0.0/8");
        var response = await factory.CreateClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("gantry_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_never_name_a_tenant_an_instance_or_a_user_and_series_do_not_grow_with_instances()
    {
        await Create(0, 20);
        // A scrape is itself a request the next scrape reports: scrape once so the baseline holds that series too.
        await _factory.CreateClient().GetStringAsync("/metrics");
        var few = GantrySeries(Parse(await _factory.CreateClient().GetStringAsync("/metrics")));

        var started = Stopwatch.GetTimestamp();
        for (var t = 0; t < Tenants; t++)
        {
            await Create(t, Instances / Tenants);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var series = Parse(await _factory.CreateClient().GetStringAsync("/metrics"));
        var many = GantrySeries(series);

        // Anything per instance would add a label set per instance: 2,000 here. Some may appear all the same, from a
        // bounded set: OpenTelemetry listens to every meter of its name in the process, and other tests' servers run
        // beside this one (their environment writes, rollouts and engine events); alone, none appears. Per tenant is
        // what the label values check below catches.
        var appeared = many.Except(few).ToList();
        Assert.True(appeared.Count < 500, $"{appeared.Count} label sets appeared with more instances ({elapsed.TotalSeconds:F0} s to create them): {string.Join(", ", appeared.Take(10))}");
        var userId = (await _admin.GetAsync(MePath).ExpectAsync(HttpStatusCode.OK)).GetProperty("id").GetString()!;
        var values = series.SelectMany(s => s.Labels.Values).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(values, v => v.Contains("metrics-", StringComparison.Ordinal) || v.Contains("tel-tenant", StringComparison.Ordinal) || v.Contains(userId, StringComparison.Ordinal));
        Assert.True(many.Count < 1_000, $"{many.Count} of Gantry's label sets in one scrape");

        // Each instrument keeps room for a bounded number of label sets; everyday traffic stays well inside it.
        Assert.DoesNotContain(series, s => s.Labels.ContainsKey("otel_metric_overflow"));
    }

    private async Task Create(int tenant, int count)
    {
        // 16 at a time, as a busy API sees them: the batches are what the git metrics record.
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, cancellationToken) =>
        {
            using var response = await _admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{TenantName(tenant)}/instances/metrics-{tenant}-{i}",
                new { offering = "qdrant", values = new { replicaCount = 1 } });
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        });
    }

    private static string TenantName(int t) => $"tel-tenant-{t}";

    /// <summary>
    /// The series of Gantry's instruments and of the HTTP server's for the route this test calls (the runtime's come
    /// and go with GC generations; other routes are other tests' traffic, which shares the process's meters).
    /// </summary>
    private static HashSet<string> GantrySeries(IEnumerable<Series> series) =>
        series.Where(s => s.Name.StartsWith("gantry_", StringComparison.Ordinal)
                || (s.Name.StartsWith("http_server_", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("http_route") == "/api/v1/tenants/{tenant}/instances/{name}"))
            .Select(s => BaseName(s.Name) + "{" + string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Where(l => l.Key != "le").Select(l => $"{l.Key}={l.Value}")) + "}")
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>A histogram's label set once, not once per bucket, sum and count.</summary>
    private static string BaseName(string name) =>
        new[] { "_bucket", "_sum", "_count" }.FirstOrDefault(s => name.EndsWith(s, StringComparison.Ordinal)) is { } suffix ? name[..^suffix.Length] : name;

    private static List<Series> Parse(string text) =>
        [.. text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(line =>
        {
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"Not a Prometheus sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);
            return new Series(match.Groups["name"].Value, labels);
        })];

    private sealed record Series(string Name, Dictionary<string, string> Labels);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? \S+( \d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex LabelPair();
}
