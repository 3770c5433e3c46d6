using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Gantry.Core.Rendering;
using Gantry.Sealing;
using Gantry.Sealing.Keys;
using Gantry.Sealing.Manifests;
using Gantry.Server.Hosting;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Instances;

/// <summary>
/// Instance secrets over HTTP against a real Git remote: generated and tenant-supplied values are sealed into the
/// tenant folder, open with the tenant's private key, and appear nowhere in clear (Git history, SQLite, logs).
/// </summary>
public sealed class InstanceSecretTests(InstanceWorld world) : IClassFixture<InstanceWorld>
{
    private const string Base = $"/api/v1/tenants/{InstanceWorld.Tenant}/instances";
    private const string RunnerValues = """{"organization": "acme", "uuid": "0b9f4c1e-7d2a-4c55-9a0e-2f1d3c4b5a69"}""";

    // The tenant's private key can be downloaded once per world; the tests of this class share it.
    private static readonly ConcurrentDictionary<InstanceWorld, Lazy<Task<SealedSecretsUnsealer>>> Unsealers = new();

    [Fact]
    public async Task Generated_and_supplied_secrets_are_sealed_into_git_and_no_plaintext_reaches_git_the_database_or_the_logs()
    {
        const string token = "canary-registration-token-31337";
        var client = world.As("operator");

        // A generated key: shown once in the create answer, with a notice, never cached by a browser.
        using var createQdrant = Json(HttpMethod.Put, $"{Base}/vectors", """{"offering": "qdrant"}""");
        createQdrant.Headers.Add("Idempotency-Key", "create-vectors-1");
        var createdResponse = await client.SendAsync(createQdrant);
        var created = await AnswerAsync(createdResponse, HttpStatusCode.Created);
        Assert.Equal("no-store", createdResponse.Headers.CacheControl?.ToString());
        var apiKey = created.GetProperty("credentials").GetProperty("api-key").GetString()!;
        Assert.True(apiKey.Length >= 43, "a generated key carries at least 256 bits");
        Assert.Contains("shown only in this response", created.GetProperty("credentialsNotice").GetString(), StringComparison.Ordinal);
        Assert.Equal(["api-key"], created.GetProperty("secrets").EnumerateArray().Select(s => s.GetString()));

        // The replay of the create answers the same instance without the key, which was never stored.
        using var replay = Json(HttpMethod.Put, $"{Base}/vectors", """{"offering": "qdrant"}""");
        replay.Headers.Add("Idempotency-Key", "create-vectors-1");
        var replayed = await AnswerAsync(await client.SendAsync(replay), HttpStatusCode.Created);
        Assert.False(replayed.TryGetProperty("credentials", out _));
        Assert.Contains("shown only once", replayed.GetProperty("credentialsNotice").GetString(), StringComparison.Ordinal);
        Assert.Equal(created.GetProperty("revision").GetString(), replayed.GetProperty("revision").GetString());

        // A tenant-supplied secret: accepted, never returned.
        var runner = await AnswerAsync(await client.SendAsync(Json(HttpMethod.Put, $"{Base}/runner-a",
            $$$"""{"offering": "runner", "values": {{{RunnerValues}}}, "secrets": {"registration-token": "{{{token}}}"}}""")), HttpStatusCode.Created);
        Assert.False(runner.TryGetProperty("credentials", out _));
        Assert.Equal(["registration-token"], runner.GetProperty("secrets").EnumerateArray().Select(s => s.GetString()));
        var read = await client.GetAsync($"{Base}/vectors").ExpectAsync(HttpStatusCode.OK);
        Assert.False(read.TryGetProperty("credentials", out _));

        // What the controllers will open: the key in the instance namespace (Argo CD), the token beside the HelmRelease (Flux).
        var unsealer = await UnsealerAsync();
        var qdrantSecret = Committed(GitOpsLayout.ArgoCdSecrets(InstanceWorld.Tenant, "vectors"));
        Assert.Equal(("vectors-secrets", "qdrant-client1"), (qdrantSecret.Metadata.Name, qdrantSecret.Metadata.Namespace));
        Assert.Equal(apiKey, Encoding.UTF8.GetString(unsealer.Unseal(qdrantSecret).Data["api-key"]));
        var runnerPath = $"{GitOpsLayout.FluxRelease(InstanceWorld.Tenant, "runner-a")}/secrets.yaml";
        var runnerSecret = Committed(runnerPath);
        Assert.Equal(("runner-a-secrets", InstanceWorld.Tenant), (runnerSecret.Metadata.Name, runnerSecret.Metadata.Namespace));
        Assert.Equal(token, Encoding.UTF8.GetString(unsealer.Unseal(runnerSecret).Data["registration-token"]));

        // Changes that do not name the secret keep its sealed value as committed: a patch, and a replace.
        await client.SendJsonAsync(HttpMethod.Patch, $"{Base}/runner-a", new { replicas = 2 }).ExpectAsync(HttpStatusCode.OK);
        await client.SendAsync(Json(HttpMethod.Put, $"{Base}/runner-a", $$"""{"offering": "runner", "values": {{RunnerValues}}}""")).ExpectAsync(HttpStatusCode.OK);
        await client.SendJsonAsync(HttpMethod.Post, $"{Base}/vectors/scale", new { replicas = 2 }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(runnerSecret.EncryptedData, (Committed(runnerPath)).EncryptedData);
        Assert.Equal(qdrantSecret.EncryptedData,
            (Committed(GitOpsLayout.ArgoCdSecrets(InstanceWorld.Tenant, "vectors"))).EncryptedData);

        // Neither plaintext anywhere: every commit's patch on every ref, every object in the remote, the SQLite files, the logs.
        var git = world.Git("log", "-p", "--all") + world.Git("cat-file", "--batch-all-objects", "--batch");
        Assert.Contains("kind: SealedSecret", git, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        var database = new StringBuilder();
        foreach (var file in Directory.GetFiles(world.Factory.Services.GetRequiredService<GantryPaths>().DataDir, "gantry.db*"))
        {
            database.Append(Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
        }

        var logs = string.Join('\n', world.Logs.Lines);
        Assert.Contains("/instances/vectors", logs, StringComparison.Ordinal);
        foreach (var plaintext in new[] { apiKey, token })
        {
            Assert.DoesNotContain(plaintext, git, StringComparison.Ordinal);
            Assert.DoesNotContain(plaintext, database.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(plaintext, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Rotate_makes_a_new_key_for_operators_only_and_the_old_one_is_gone_from_the_file()
    {
        var created = await world.As("operator").SendJsonAsync(HttpMethod.Put, $"{Base}/rotated", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);
        var oldKey = created.GetProperty("credentials").GetProperty("api-key").GetString()!;

        await world.As("viewer").SendJsonAsync(HttpMethod.Post, $"{Base}/rotated/credentials/rotate").ExpectAsync(HttpStatusCode.Forbidden);
        await world.As("other").SendJsonAsync(HttpMethod.Post, $"{Base}/rotated/credentials/rotate").ExpectAsync(HttpStatusCode.NotFound);
        var refused = await world.As("operator").SendJsonAsync(HttpMethod.Post, $"{Base}/rotated/credentials/rotate", new { secrets = new[] { "nope" } })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("secrets[0]", out _));

        var rotated = await world.As("operator").SendJsonAsync(HttpMethod.Post, $"{Base}/rotated/credentials/rotate", new { secrets = new[] { "api-key" } })
            .ExpectAsync(HttpStatusCode.OK);
        var newKey = rotated.GetProperty("credentials").GetProperty("api-key").GetString()!;
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal($"Rotate credentials of instance {InstanceWorld.Tenant}/rotated (qdrant 1.13.6)",
            world.Git("log", "-1", "--format=%s", "main").Trim());

        var committed = Committed(GitOpsLayout.ArgoCdSecrets(InstanceWorld.Tenant, "rotated"));
        var opened = Encoding.UTF8.GetString((await UnsealerAsync()).Unseal(committed).Data["api-key"]);
        Assert.Equal(newKey, opened);
        Assert.NotEqual(oldKey, opened);

        // Without a body every generated secret is renewed.
        var again = await world.As("operator").SendJsonAsync(HttpMethod.Post, $"{Base}/rotated/credentials/rotate").ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(newKey, again.GetProperty("credentials").GetProperty("api-key").GetString());
    }

    [Fact]
    public async Task Bad_secrets_are_one_validation_problem_naming_each_field_without_echoing_a_value()
    {
        var body = $$$"""
            {"offering": "runner", "values": {"organization": "acme", "uuid": "0b9f4c1e-7d2a-4c55-9a0e-2f1d3c4b5a69", "registrationToken": "plain-canary-1"},
             "secrets": {"unknown": "canary-unknown-2", "registration-token": "{{{new string('x', 5000)}}}"}}
            """;

        var response = await world.As("operator").SendAsync(Json(HttpMethod.Put, $"{Base}/bad-runner", body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");

        Assert.True(errors.TryGetProperty("secrets.unknown", out _));
        Assert.True(errors.TryGetProperty("secrets.registration-token", out _));
        Assert.True(errors.TryGetProperty("values.registrationToken", out _));
        Assert.DoesNotContain("canary", text, StringComparison.Ordinal);
        Assert.DoesNotContain("xxxxxxxx", text, StringComparison.Ordinal);

        var missing = await world.As("operator").SendAsync(Json(HttpMethod.Put, $"{Base}/bad-runner", $$"""{"offering": "runner", "values": {{RunnerValues}}}"""))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("secrets.registration-token", out _));

        var generated = await world.As("operator").SendAsync(Json(HttpMethod.Put, $"{Base}/bad-qdrant", """{"offering": "qdrant", "secrets": {"api-key": "mine"}}"""))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(generated.GetProperty("errors").TryGetProperty("secrets.api-key", out _));
    }

    private static HttpRequestMessage Json(HttpMethod method, string url, string body) =>
        new(method, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static async Task<JsonElement> AnswerAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {status}, got {response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private SealedSecret Committed(string path) => ManifestSerializer.ReadSealedSecret(world.Git("show", $"main:{path}"));

    private Task<SealedSecretsUnsealer> UnsealerAsync() => Unsealers.GetOrAdd(world, w => new Lazy<Task<SealedSecretsUnsealer>>(async () =>
    {
        // The tenant admin's one download of the controller key Secret; the first instance created the key pair.
        var response = await w.As("platform-admin").GetAsync($"/api/v1/tenants/{InstanceWorld.Tenant}/sealing-key/private-key");
        var yaml = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, yaml);
        return new SealedSecretsUnsealer(SealingPrivateKeys.Load(yaml));
    })).Value;
}
