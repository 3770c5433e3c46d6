using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Bench;

/// <summary>
/// Environments against a real Gantry.Server process (embedded defaults): how long the bucket watcher takes to apply
/// N stage claims put into the environments bucket at once (all rendered, indexed and listed), and how long a
/// changed add-on bundle (a new chart version) takes to reach all of them when they are rendered again.
/// </summary>
public sealed class EnvironmentBenchmark(int claims, string? jsonPath)
{
    private const string Pool = "team1";

    public async Task RunAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), $"gantry-env-bench-{Guid.NewGuid():N}");
        var port = ApiBenchmark.FreePort();
        var folder = Path.Combine(data, "buckets", "environments", Pool);
        double applySeconds;
        using (var http = Client(port))
        {
            var server = ApiBenchmark.StartServer(data, port, 2048, 2, new Dictionary<string, string> { ["Environments__WatchInterval"] = "00:00:01" });
            try
            {
                await ReadyAsync(http, server);
                await ApiBenchmark.Expect(http.PostAsJsonAsync("/api/v1/tenants", new { name = Pool }), HttpStatusCode.Created);
                Directory.CreateDirectory(folder);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < claims; i++)
                {
                    var path = Path.Combine(folder, $"stage-bench-{i:D5}.json");
                    await File.WriteAllTextAsync(path + ".upload", Claim($"stage-bench-{i:D5}").ToJsonString());
                    File.Move(path + ".upload", path);
                }

                while (await CountAsync(http) < claims)
                {
                    await Task.Delay(200);
                }

                applySeconds = clock.Elapsed.TotalSeconds;
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }

        double rerenderSeconds;
        int rerendered;
        using (var http = Client(port))
        {
            var server = ApiBenchmark.StartServer(data, port, 2048, 2, new Dictionary<string, string>
            {
                ["Environments__RerenderAtStart"] = "false",
                ["Environments__AddOns__monitoring__Charts__kube-prometheus-stack__Version"] = "66.0.0",
            });
            try
            {
                await ReadyAsync(http, server);
                var clock = Stopwatch.StartNew();
                using var response = await http.PostAsync(new Uri("/api/v1/admin/environments/rerender?type=stage", UriKind.Relative), null);
                response.EnsureSuccessStatusCode();
                rerenderSeconds = clock.Elapsed.TotalSeconds;
                rerendered = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rerendered").GetArrayLength();
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }

        Console.WriteLine($"claims {claims}: applied from the bucket in {applySeconds:F1} s ({claims / applySeconds:F0}/s); "
            + $"bundle change re-rendered {rerendered} in {rerenderSeconds:F1} s");
        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, new JsonObject
            {
                ["claims"] = claims,
                ["applySeconds"] = applySeconds,
                ["rerendered"] = rerendered,
                ["rerenderSeconds"] = rerenderSeconds,
            }.ToJsonString());
        }

        Directory.Delete(data, recursive: true);
    }

    private static HttpClient Client(int port) => new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };

    private static async Task ReadyAsync(HttpClient http, Process server)
    {
        await ApiBenchmark.WaitForReadyAsync(http, server);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await ApiBenchmark.LoginAsync(http));
    }

    private static JsonObject Claim(string name) => new()
    {
        ["environment_name"] = name,
        ["environment_type"] = "stage",
        ["environment_pool"] = Pool,
        ["user"] = "bench",
        ["deploy_only_specified"] = true,
        ["services"] = new JsonObject { ["user-service"] = "^1.2.0", ["auth-service"] = "*" },
    };

    private static async Task<int> CountAsync(HttpClient http)
    {
        var count = 0;
        string? after = null;
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/v1/environments?pool={Pool}&limit=500{(after is null ? string.Empty : $"&after={after}")}");
            count += page.GetProperty("items").GetArrayLength();
            if (page.GetProperty("next").ValueKind != JsonValueKind.String)
            {
                return count;
            }

            after = page.GetProperty("next").GetString();
        }
    }
}
