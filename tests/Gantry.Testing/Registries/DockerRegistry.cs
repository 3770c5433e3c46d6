using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Gantry.Testing.Registries;

/// <summary>
/// How a registry with <c>auth: token</c> trusts its token server (the <c>auth.token</c> section), and how the fixture
/// gets a token to push its own test content (null: it pushes nothing).
/// </summary>
public sealed record RegistryTokenAuth(Uri Realm, string Service, string Issuer, string RootCertificatePem, Func<string, string>? PushToken = null);

/// <summary>
/// Debian's <c>docker-registry</c> (distribution 2.x) started on a loopback port (free, or the one given) with a temp
/// storage folder and a config written here; deletes enabled; stopped by process id. With a
/// <see cref="RegistryTokenAuth"/> it runs with <c>auth: token</c>. Installed by scripts/test-deps.sh.
/// </summary>
public sealed class DockerRegistry : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly RegistryTokenAuth? _tokens;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private DockerRegistry(Process process, string folder, int port, RegistryTokenAuth? tokens)
    {
        _process = process;
        _folder = folder;
        _tokens = tokens;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseUri { get; }

    public string Authority => BaseUri.Authority;

    public static async Task<DockerRegistry> StartAsync(RegistryTokenAuth? tokens = null, int? port = null)
    {
        const string executable = "/usr/bin/docker-registry";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException("docker-registry is not installed: run scripts/test-deps.sh (make test-deps).");
        }

        var folder = Directory.CreateTempSubdirectory("gantry-registry-").FullName;
        var listen = port ?? Ports.Free();
        var config = new StringBuilder($"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {folder}/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{listen}
            """);
        config.Append('\n');
        if (tokens is not null)
        {
            var bundle = Path.Combine(folder, "token-ca.pem");
            await File.WriteAllTextAsync(bundle, tokens.RootCertificatePem);
            config.Append($"""
                auth:
                  token:
                    realm: {tokens.Realm}
                    service: {tokens.Service}
                    issuer: {tokens.Issuer}
                    rootcertbundle: {bundle}
                """);
            config.Append('\n');
        }

        var configPath = Path.Combine(folder, "config.yml");
        await File.WriteAllTextAsync(configPath, config.ToString());
        var start = new ProcessStartInfo(executable, ["serve", configPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var registry = new DockerRegistry(process, folder, listen, tokens);
        await registry.WaitUntilUpAsync(log);
        return registry;
    }

    /// <summary>
    /// Pushes one tiny image (a config blob, a layer blob, a schema-2 manifest) through the registry HTTP API
    /// (distribution-spec "Pushing blobs" monolithic POST+PUT, "Pushing manifests"), then PUTs the manifest under each tag.
    /// </summary>
    public async Task PushTagsAsync(string repository, params IEnumerable<string> tags)
    {
        var config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}"u8.ToArray();
        var layer = Encoding.UTF8.GetBytes("gantry test layer " + repository);
        var configDigest = await PushBlobAsync(repository, config);
        var layerDigest = await PushBlobAsync(repository, layer);
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":{{config.Length}},"digest":"{{configDigest}}"},
             "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":{{layer.Length}},"digest":"{{layerDigest}}"}]}
            """);
        foreach (var tag in tags)
        {
            using var request = Authorized(HttpMethod.Put, new Uri(BaseUri, $"v2/{repository}/manifests/{tag}"), repository);
            request.Content = new ByteArrayContent(manifest);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.docker.distribution.manifest.v2+json");
            using var response = await _http.SendAsync(request);
            await EnsureAsync(response, $"PUT manifest {repository}:{tag}");
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private async Task<string> PushBlobAsync(string repository, byte[] blob)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
        using var start = Authorized(HttpMethod.Post, new Uri(BaseUri, $"v2/{repository}/blobs/uploads/"), repository);
        using var started = await _http.SendAsync(start);
        await EnsureAsync(started, $"POST blob upload {repository}");
        var location = new Uri(BaseUri, started.Headers.Location!);
        var separator = location.Query.Length > 0 ? "&" : "?";
        using var put = Authorized(HttpMethod.Put, new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest)), repository);
        put.Content = new ByteArrayContent(blob);
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await _http.SendAsync(put);
        await EnsureAsync(done, $"PUT blob {repository}");
        return digest;
    }

    private HttpRequestMessage Authorized(HttpMethod method, Uri uri, string repository)
    {
        var request = new HttpRequestMessage(method, uri);
        if (_tokens?.PushToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token(repository));
        }

        return request;
    }

    private async Task WaitUntilUpAsync(StringBuilder log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                break;
            }

            try
            {
                using var response = await _http.GetAsync(new Uri(BaseUri, "v2/"));
                return; // 200 anonymous, 401 with token auth: either way it serves.
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        string output;
        lock (log)
        {
            output = log.ToString();
        }

        Dispose();
        throw new InvalidOperationException($"docker-registry did not come up on {BaseUri}: {output}");
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
