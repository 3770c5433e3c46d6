using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gantry.Cli.Tests;

/// <summary>
/// <c>gantry deploy --local</c> end to end: the real binary pushes to a real docker-registry whose token server is
/// Gantry, then deploys the pushed digests; the retention sweep deletes aged manifests and flags the environment.
/// </summary>
[Collection(SharedLocalRegistry.Name)]
public sealed class DeployLocalTests(LocalRegistryServer server)
{
    private const string Service = "user-service";

    [Fact]
    public async Task Local_builds_are_pushed_to_the_users_namespace_and_deployed_by_digest_then_swept_when_aged()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);
        using var build = new TempFolder();
        var (layout, manifestDigest) = WriteImageLayout(build.Path, "image", layerBytes: 300_000);
        var ansible = Directory.CreateDirectory(Path.Combine(build.Path, "ansible", "roles", "app")).Parent!.Parent!.FullName;
        await File.WriteAllTextAsync(Path.Combine(ansible, "playbook.yml"), "- hosts: all\n  roles: [app]\n");
        // Small chunks: the layer goes up in several PATCHes.
        user.Environment["GANTRY_PUSH_CHUNK_BYTES"] = "65536";

        var deployed = await user.RunAsync(
            "deploy", "--environment", "dev-team1-local", "--services", $"{Service}:v1.2.3", "--local",
            "--image", $"{Service}={layout}", "--ansible", $"{Service}={ansible}", "--tag", "first", "-o", "json");

        Assert.True(deployed.ExitCode == 0, deployed.Stderr);
        var image = $"{server.RegistryHost}/{GantryServer.PoolUser}-local/{Service}@{manifestDigest}";
        var service = JsonDocument.Parse(deployed.Stdout).RootElement.GetProperty("services").GetProperty(Service);
        Assert.Equal(image, service.GetProperty("docker_image").GetString());
        var artifact = service.GetProperty("ansible_artifact").GetString()!;
        Assert.Matches($@"^{Regex(server.RegistryHost)}/team1-dev-local/user-service-ansible@sha256:[0-9a-f]{{64}}$", artifact);
        Assert.Contains("blobs: 4 sent, 0 already in the registry", deployed.Stderr, StringComparison.Ordinal);

        // The same build again: every blob is already there, and the manifests are the same digests.
        var again = await user.RunAsync(
            "deploy", "--environment", "dev-team1-local", "--services", $"{Service}:v1.2.3", "--local",
            "--image", $"{Service}={layout}", "--ansible", $"{Service}={ansible}", "--tag", "second", "-o", "json");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("blobs: 0 sent, 4 already in the registry", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(image, JsonDocument.Parse(again.Stdout).RootElement.GetProperty("services").GetProperty(Service).GetProperty("docker_image").GetString());
        // The artifact's manifest carries its creation time: a new digest each push.
        var currentArtifact = JsonDocument.Parse(again.Stdout).RootElement.GetProperty("services").GetProperty(Service).GetProperty("ansible_artifact").GetString();

        // Not aged yet: the sweep keeps everything.
        using var admin = await server.ClientAsAsync("admin", "test-admin-password");
        var early = await SweepAsync(admin);
        Assert.DoesNotContain(early.GetProperty("deleted").EnumerateArray(), d => d.GetProperty("repository").GetString()!.StartsWith("team1-dev-local/", StringComparison.Ordinal));

        server.Clock.Advance(TimeSpan.FromHours(25));
        var swept = await SweepAsync(admin);
        var deleted = swept.GetProperty("deleted").EnumerateArray().Select(d => $"{d.GetProperty("repository").GetString()}@{d.GetProperty("digest").GetString()}").ToList();
        Assert.Contains($"{GantryServer.PoolUser}-local/{Service}@{manifestDigest}", deleted);
        Assert.Contains(artifact[(server.RegistryHost.Length + 1)..], deleted);
        var flagged = swept.GetProperty("flagged_environments").EnumerateArray().ToList();
        Assert.Contains(flagged, f => f.GetProperty("environment").GetString() == "dev-team1-local" && f.GetProperty("reference").GetString() == image);
        using var last = await admin.GetAsync("/api/v1/registry/sweeps/last");
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);

        // The environment says so, in env get and in its answer, for the image and the artifact.
        var shown = await user.RunAsync("env", "get", "dev-team1-local");
        Assert.True(shown.ExitCode == 0, shown.Stderr);
        Assert.Contains("\nWarnings:\n", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\n  {Service}: {image} was deleted by the -local retention sweep", shown.Stdout, StringComparison.Ordinal);
        var warnings = (await user.JsonAsync("env", "get", "dev-team1-local")).GetProperty("warnings").EnumerateArray()
            .Select(w => (w.GetProperty("service").GetString(), w.GetProperty("reference").GetString(), w.GetProperty("reason").GetString())).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains((Service, image, "LocalImageDeleted"), warnings);
        Assert.Contains((Service, currentArtifact, "LocalImageDeleted"), warnings);

        // The same build pushed again: the image has the same digest, which the registry holds again, and the artifact a
        // new one the environment now points at; both warnings are gone.
        var redeployed = await user.RunAsync(
            "deploy", "--environment", "dev-team1-local", "--services", $"{Service}:v1.2.3", "--local",
            "--image", $"{Service}={layout}", "--ansible", $"{Service}={ansible}", "--tag", "third", "--quiet");
        Assert.True(redeployed.ExitCode == 0, redeployed.Stderr);
        Assert.Equal(string.Empty, redeployed.Stdout + redeployed.Stderr);
        Assert.False((await user.JsonAsync("env", "get", "dev-team1-local")).TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task Pushing_to_another_users_namespace_is_refused_by_the_registry()
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);
        using var build = new TempFolder();
        var (layout, _) = WriteImageLayout(build.Path, "image", layerBytes: 1000);

        var refused = await user.RunAsync(
            "deploy", "--environment", "dev-team1-theirs", "--services", $"{Service}:v1.2.3", "--local",
            "--image", $"{Service}={layout}", "--namespace", $"{LocalRegistryServer.OtherUser}-local");

        Assert.Equal(6, refused.ExitCode);
        Assert.Contains($"{server.RegistryHost} refused", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("you may push only to your own -local namespace", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, (await user.RunAsync("env", "get", "dev-team1-theirs")).ExitCode);
    }

    [Fact]
    public async Task The_token_realm_takes_docker_login_basic_credentials_and_leaves_out_what_is_not_allowed()
    {
        using var signedIn = await server.ClientAsAsync(GantryServer.PoolUser);
        var accessToken = signedIn.DefaultRequestHeaders.Authorization!.Parameter!;
        using var http = new HttpClient { BaseAddress = server.Url };
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/api/v1/registry/token?service={LocalRegistryServer.Service}&scope=repository:team1-dev-local/app:push,pull&scope=repository:team1-ops-local/app:push");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{GantryServer.PoolUser}:{accessToken}")));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var claims = JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '='))).RootElement;
        var access = Assert.Single(claims.GetProperty("access").EnumerateArray());
        Assert.Equal("team1-dev-local/app", access.GetProperty("name").GetString());
        Assert.Equal(["push", "pull"], access.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(LocalRegistryServer.Service, claims.GetProperty("aud").GetString());

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/v1/registry/token?scope=repository:team1-dev-local/app:pull");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("team1-dev:not-a-token"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
    }

    [Theory]
    [InlineData("missing", "no such folder or file")]
    [InlineData("garbage.tar", "is not a tarball")]
    [InlineData("no-index", "is not an OCI image layout")]
    public async Task A_bad_build_is_named_and_nothing_is_submitted(string build, string message)
    {
        using var user = new CliUser(server);
        await user.LoginAsync(GantryServer.PoolUser);
        using var folder = new TempFolder();
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "garbage.tar"), RandomNumberGenerator.GetBytes(3000));
        Directory.CreateDirectory(Path.Combine(folder.Path, "no-index"));
        var environment = "dev-team1-bad-" + build.Replace(".", "-", StringComparison.Ordinal);

        var result = await user.RunAsync(
            "deploy", "--environment", environment, "--services", $"{Service}:v1.2.3", "--local", "--image", $"{Service}={Path.Combine(folder.Path, build)}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, (await user.RunAsync("env", "get", environment)).ExitCode);
    }

    private static async Task<JsonElement> SweepAsync(HttpClient admin)
    {
        using var response = await admin.PostAsync("/api/v1/registry/sweeps", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A tiny OCI image layout (image-spec image-layout.md): a config blob, one layer, the manifest and index.json.</summary>
    private static (string Folder, string ManifestDigest) WriteImageLayout(string parent, string name, int layerBytes)
    {
        var folder = Directory.CreateDirectory(Path.Combine(parent, name)).FullName;
        var blobs = Directory.CreateDirectory(Path.Combine(folder, "blobs", "sha256")).FullName;
        string Blob(byte[] content)
        {
            var hex = Convert.ToHexStringLower(SHA256.HashData(content));
            File.WriteAllBytes(Path.Combine(blobs, hex), content);
            return "sha256:" + hex;
        }

        var config = """{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"""u8.ToArray();
        var layer = RandomNumberGenerator.GetBytes(layerBytes);
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Blob(config)}}","size":{{config.Length}}},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{Blob(layer)}}","size":{{layer.Length}}}]}
            """);
        var manifestDigest = Blob(manifest);
        File.WriteAllText(Path.Combine(folder, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Combine(folder, "index.json"), $$"""
            {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{manifestDigest}}","size":{{manifest.Length}}}]}
            """);
        return (folder, manifestDigest);
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
