using CsCheck;
using Gantry.Testing.Hostile;
using Xunit.Abstractions;

namespace Gantry.Server.Tests.Hostile;

/// <summary>
/// Hostile requests generated from the OpenAPI document against a real server (issue 20's proof): for every operation,
/// wrong types, numbers past their range, text that is not UTF-8 or not Unicode, control characters, huge strings,
/// deep nesting, duplicate keys, wrong content types, traversal and reserved names, YAML and template syntax, as the
/// own tenant, another tenant, nobody and a forged token. No answer is a 5xx, every error says what is wrong in words,
/// a refused request changes nothing (Git refs, buckets, database) and no answer holds another tenant's names.
/// A fixed seed when CI=true, else a random one printed first; GANTRY_HOSTILE_SEED replays one.
/// </summary>
public sealed class HostileInputTests(HostileWorld world, ITestOutputHelper output) : IClassFixture<HostileWorld>
{
    private const string CiSeed = "3ZaPY4tX0Lj2";

    [Fact]
    public async Task No_hostile_request_gets_a_5xx_a_wordless_error_a_partial_write_or_another_tenants_data()
    {
        var seed = Environment.GetEnvironmentVariable("GANTRY_HOSTILE_SEED") is { Length: > 0 } replay ? replay
            : Environment.GetEnvironmentVariable("CI") == "true" ? CiSeed : RandomSeed();
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("GANTRY_HOSTILE_ITERATIONS"), out var n) ? n : 3000;
        output.WriteLine($"hostile input: {world.Operations.Count} operations, {iterations} requests, seed {seed} (GANTRY_HOSTILE_SEED={seed} replays it)");
        var names = world.NamesOf(Caller.Owner).Concat(world.NamesOf(Caller.Foreign)).ToList();
        var clients = world.Tokens.ToDictionary(t => t.Key, _ => world.Factory.CreateClient());
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();

        await HostileOperations.Requests(world.Operations, names).SampleAsync(async request =>
        {
            var before = StateFingerprint.Of(world.Factory.DataDir);
            using var message = request.ToMessage(world.Tokens[request.Caller]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await clients[request.Caller].SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            // An event stream that opens never ends: its headers are the answer.
            var body = mediaType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync(timeout.Token);
            var status = (int)response.StatusCode;
            answers.AddOrUpdate(status, 1, (_, count) => count + 1);
            var violations = HostileAnswers.Violations(request, status, mediaType, body, world.ForeignTo(request.Caller)).ToList();
            if (status >= 400 && StateFingerprint.Of(world.Factory.DataDir) != before)
            {
                violations.Add($"{status} refusal changed the stored state");
            }

            Assert.True(violations.Count == 0, $"{request}: {string.Join("; ", violations)}");
        }, seed: seed, iter: iterations, threads: 1, print: r => r.ToString());
        output.WriteLine("answers: " + string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key} x{a.Value}")));
    }

    // CsCheck's seeds are 12 characters of its alphabet; letters and digits are all in it.
    private static string RandomSeed() =>
        string.Concat(System.Security.Cryptography.RandomNumberGenerator.GetItems<char>("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 12));
}
