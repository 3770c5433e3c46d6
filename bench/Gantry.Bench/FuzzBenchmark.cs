using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Gantry.Testing.Hostile;

namespace Gantry.Bench;

public sealed class FuzzOptions
{
    public int Requests { get; set; } = 50_000;

    public int Clients { get; set; } = 8;

    /// <summary>Requests between two reads of the stored state; a round with no accepted change must leave it as it was.</summary>
    public int Round { get; set; } = 500;

    public string? JsonPath { get; set; }
}

/// <summary>
/// <c>bench fuzz</c>: the hostile-input suite's generated requests (Gantry.Testing.Hostile) in bulk against a running
/// server process, several clients at once. Counts 5xx answers, errors without words, leaks (another tenant's names in
/// an answer) and partial writes (a round of requests of which none was accepted that still changed a Git ref, a
/// bucket file or a state row).
/// </summary>
public sealed class FuzzBenchmark(FuzzOptions options)
{
    private const string Password = "bench-user-password";

    public async Task RunAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), $"gantry-fuzz-bench-{Guid.NewGuid():N}");
        var port = ApiBenchmark.FreePort();
        var server = ApiBenchmark.StartServer(data, port, sealingKeyBits: 2048, keyPool: 4);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromSeconds(30),
            };
            await ApiBenchmark.WaitForReadyAsync(http, server);
            var world = await SetUpAsync(http);
            var operations = HostileOperations.Read(JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement);
            var generator = HostileOperations.Requests(operations, world.Names);
            var counts = new Counts();
            var clock = Stopwatch.StartNew();
            while (counts.Requests < options.Requests)
            {
                var before = StateFingerprint.Of(data);
                var accepted = 0;
                await generator.SampleAsync(async request =>
                {
                    var (status, changed) = await SendAsync(http, world, request, counts);
                    if (changed)
                    {
                        Interlocked.Increment(ref accepted);
                    }
                }, iter: Math.Min(options.Round, options.Requests - counts.Requests), threads: options.Clients);
                if (accepted == 0 && StateFingerprint.Of(data) != before)
                {
                    Interlocked.Increment(ref counts.PartialWrites);
                }
                else if (accepted == 0)
                {
                    counts.RoundsChecked++;
                }
            }

            Report(counts, clock.Elapsed, operations.Count);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<(int Status, bool Changed)> SendAsync(HttpClient http, FuzzWorld world, HostileRequest request, Counts counts)
    {
        using var message = request.ToMessage(world.Tokens[request.Caller]);
        int status;
        string? mediaType;
        string body;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            mediaType = response.Content.Headers.ContentType?.MediaType;
            body = mediaType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            Interlocked.Increment(ref counts.Requests);
            Interlocked.Increment(ref counts.Unanswered);
            counts.Note($"no answer: {request}: {e.Message}");
            return (0, false);
        }

        Interlocked.Increment(ref counts.Requests);
        counts.Statuses.AddOrUpdate(status / 100 * 100, 1, (_, n) => n + 1);
        foreach (var violation in HostileAnswers.Violations(request, status, mediaType, body, world.ForeignTo(request.Caller)))
        {
            if (status >= 500)
            {
                Interlocked.Increment(ref counts.ServerErrors);
            }
            else if (violation.Contains("without words", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref counts.Wordless);
            }
            else
            {
                Interlocked.Increment(ref counts.Leaks);
            }

            counts.Note($"{request}: {violation}");
        }

        var changed = status is >= 200 and < 300 && request.Method != "GET";
        return (status, changed);
    }

    private void Report(Counts counts, TimeSpan elapsed, int operations)
    {
        var perSecond = counts.Requests / elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz: {counts.Requests:N0} requests over {operations} operations in {elapsed.TotalSeconds:F1} s ({perSecond:F0} req/s, {options.Clients} clients)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz: 5xx {counts.ServerErrors}, errors without words {counts.Wordless}, leaks {counts.Leaks}, partial writes {counts.PartialWrites} ({counts.RoundsChecked} rounds without an accepted change checked), unanswered {counts.Unanswered}"));
        Console.WriteLine("fuzz: answers " + string.Join(", ", counts.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key / 100}xx {s.Value:N0}")));
        foreach (var note in counts.Notes.Take(20))
        {
            Console.WriteLine($"  {note}");
        }

        if (options.JsonPath is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, new JsonObject
            {
                ["requests"] = counts.Requests,
                ["operations"] = operations,
                ["clients"] = options.Clients,
                ["seconds"] = Math.Round(elapsed.TotalSeconds, 1),
                ["requests_per_second"] = Math.Round(perSecond, 0),
                ["server_errors"] = counts.ServerErrors,
                ["errors_without_words"] = counts.Wordless,
                ["leaks"] = counts.Leaks,
                ["partial_writes"] = counts.PartialWrites,
                ["rounds_checked"] = counts.RoundsChecked,
                ["unanswered"] = counts.Unanswered,
                ["answers"] = new JsonObject(counts.Statuses.OrderBy(s => s.Key).Select(s => KeyValuePair.Create($"{s.Key / 100}xx", (JsonNode?)s.Value))),
            }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    // Two tenants, each with an operator, one instance and one environment; the fuzzing callers are those operators.
    private static async Task<FuzzWorld> SetUpAsync(HttpClient http)
    {
        var admin = await ApiBenchmark.LoginAsync(http);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var tokens = new Dictionary<Caller, string?> { [Caller.Anonymous] = null, [Caller.Forged] = HostileValues.ForgedTokens[0] };
        var names = new Dictionary<Caller, string[]>();
        // Environments live in the configured pools (tenants of those names); the pools' names are public, the environments' are not.
        foreach (var (caller, tenant, pool) in new[] { (Caller.Owner, $"own-{suffix}", "general-restricted"), (Caller.Foreign, $"other-{suffix}", "general-public") })
        {
            var instance = $"{tenant}-instance";
            var user = await Send(http, admin, HttpMethod.Post, "/api/v1/users", new { username = $"{tenant}-operator", password = Password });
            foreach (var owned in new[] { tenant, pool })
            {
                await Send(http, admin, HttpMethod.Post, "/api/v1/tenants", new { name = owned });
                await Send(http, admin, HttpMethod.Put, $"/api/v1/tenants/{owned}/members/{user.GetProperty("id").GetString()}", new { role = "operator" });
            }

            var login = await http.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password", ["username"] = $"{tenant}-operator", ["password"] = Password,
            }));
            tokens[caller] = (await login.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
            await Send(http, tokens[caller]!, HttpMethod.Put, $"/api/v1/tenants/{tenant}/instances/{instance}", new { offering = "qdrant" });
            var environment = $"dev-{tenant}";
            await Send(http, tokens[caller]!, HttpMethod.Post, "/api/v1/environments", new
            {
                environment_name = environment, environment_type = "dev", environment_pool = pool, deploy_only_specified = true,
                services = new Dictionary<string, string> { ["auth-service"] = "v2.1.0" },
            });
            names[caller] = [tenant, instance, environment];
        }

        return new FuzzWorld(tokens, names);
    }

    private static async Task<JsonElement> Send(HttpClient http, string token, HttpMethod method, string url, object body)
    {
        using var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.Clone() : throw new InvalidOperationException($"{method} {url}: {(int)response.StatusCode} {text}");
    }

    private sealed record FuzzWorld(IReadOnlyDictionary<Caller, string?> Tokens, IReadOnlyDictionary<Caller, string[]> NamesByCaller)
    {
        public IReadOnlyList<string> Names => [.. NamesByCaller.Values.SelectMany(n => n)];

        public IReadOnlyList<string> ForeignTo(Caller caller) => caller switch
        {
            Caller.Owner => NamesByCaller[Caller.Foreign],
            Caller.Foreign => NamesByCaller[Caller.Owner],
            _ => Names,
        };
    }

    private sealed class Counts
    {
        public int Requests;
        public int ServerErrors;
        public int Wordless;
        public int Leaks;
        public int PartialWrites;
        public int RoundsChecked;
        public int Unanswered;

        public System.Collections.Concurrent.ConcurrentQueue<string> Notes { get; } = new();

        public System.Collections.Concurrent.ConcurrentDictionary<int, int> Statuses { get; } = new();

        public void Note(string note)
        {
            if (Notes.Count < 100)
            {
                Notes.Enqueue(note.Length > 600 ? note[..600] + "…" : note);
            }
        }
    }
}
