using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Gantry.Git.Testing;

namespace Gantry.Bench;

public sealed class RolloutOptions
{
    public int[] Instances { get; set; } = [500, 10_000];

    public int PerTenant { get; set; } = 100;

    public int Clients { get; set; } = 32;
}

/// <summary>
/// A rollout over HTTP against a real Gantry.Server process (embedded defaults: SQLite, local repository): the time of
/// its preview, and of committing one wave of every instance (gate Committed: the commit, index rows, timeline entries
/// and audit entries of the whole wave), with the server's peak memory.
/// </summary>
public sealed class RolloutBenchmark(RolloutOptions options)
{
    public async Task RunAsync()
    {
        Console.WriteLine("| instances | tenants | preview p50 | preview max | wave committed | commits | server peak RSS |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var size in options.Instances)
        {
            await RunSizeAsync(size);
        }
    }

    private async Task RunSizeAsync(int size)
    {
        var data = Path.Combine(Path.GetTempPath(), $"gantry-rollout-bench-{Guid.NewGuid():N}");
        var port = ApiBenchmark.FreePort();
        var tenantCount = Math.Max(1, size / options.PerTenant);
        var server = ApiBenchmark.StartServer(data, port, sealingKeyBits: 2048, keyPool: 16,
            new Dictionary<string, string> { ["Rollouts__Interval"] = "00:00:00.050" });
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromMinutes(5),
            };
            await ApiBenchmark.WaitForReadyAsync(http, server);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await ApiBenchmark.LoginAsync(http));
            var tenants = Enumerable.Range(0, tenantCount).Select(t => $"f{t:D4}").ToList();
            foreach (var tenant in tenants)
            {
                await ApiBenchmark.Expect(http.PostAsJsonAsync("/api/v1/tenants", new { name = tenant, quotas = new { maxInstances = options.PerTenant + 1 } }), HttpStatusCode.Created);
            }

            var seeding = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, size), new ParallelOptions { MaxDegreeOfParallelism = options.Clients }, async (i, cancel) =>
                await ApiBenchmark.Expect(http.PutAsJsonAsync($"/api/v1/tenants/{tenants[i % tenantCount]}/instances/db{i / tenantCount}",
                    new { offering = "qdrant", values = new { replicaCount = 1 } }, cancel), HttpStatusCode.Created));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {size} instances over {tenantCount} tenants in {seeding.Elapsed.TotalSeconds:F1} s"));

            var request = new { offering = "qdrant", change = new { values = new { replicaCount = 2 } }, strategy = new { gate = new { phase = "Committed" } } };
            var previews = new List<double>();
            for (var run = 0; run < 5; run++)
            {
                var timer = Stopwatch.StartNew();
                var preview = await (await http.PostAsJsonAsync("/api/v1/rollouts/preview", request)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
                previews.Add(timer.Elapsed.TotalMilliseconds);
                if (preview.GetProperty("changing").GetInt32() != size)
                {
                    throw new InvalidOperationException($"the preview changes {preview.GetProperty("changing").GetInt32()} of {size} instances");
                }
            }

            var repository = Path.Combine(data, "state.git");
            var commitsBefore = Commits(repository);
            var started = Stopwatch.StartNew();
            var rollout = await (await http.PostAsJsonAsync("/api/v1/rollouts", request)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            var id = rollout.GetProperty("id").GetString()!;
            while (true)
            {
                var state = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/rollouts/{id}")).GetProperty("state").GetString();
                if (state != "Running")
                {
                    if (state != "Completed")
                    {
                        throw new InvalidOperationException($"rollout {id} ended {state}");
                    }

                    break;
                }

                await Task.Delay(20);
            }

            var committed = started.Elapsed.TotalSeconds;
            previews.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {tenantCount:N0} | {previews[previews.Count / 2]:F0} ms | {previews[^1]:F0} ms | {committed:F2} s | {Commits(repository) - commitsBefore} | {ApiBenchmark.PeakRssMb(server.Id):F0} MB |"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static int Commits(string repository) => int.Parse(GitCli.Run(repository, "rev-list", "--count", "main").Trim(), CultureInfo.InvariantCulture);
}
