using System.Security.Cryptography;
using Gantry.Client;
using Gantry.Client.Oci;

namespace Gantry.Cli.Tests;

/// <summary><see cref="OciPusher"/> against the real registry, with a transport that loses an answer mid-upload.</summary>
[Collection(SharedLocalRegistry.Name)]
public sealed class OciPusherTests(LocalRegistryServer server)
{
    [Theory]
    [InlineData(false, "a failed chunk resumes from the Range the registry reports")]
    [InlineData(true, "a chunk whose answer was lost (the registry moved on) starts the blob again")]
    public async Task A_failed_chunk_does_not_fail_the_push(bool afterSending, string because)
    {
        using var gantry = GantryClient.Create(server.Url, new StaticCredentials((await LoginAsync()).AccessToken));
        var flaky = new LoseOneAnswer(new SocketsHttpHandler(), losePatch: 3, afterSending);
        using var http = new HttpClient(flaky);
        var progress = new List<OciPushProgress>();
        var pusher = new OciPusher(http, new Uri($"http://{server.RegistryHost}/"),
            async (challenge, ct) => (await gantry.GetRegistryTokenAsync(challenge.Service, challenge.Scope!, ct)).Token,
            new SyncProgress(progress.Add)) { ChunkSize = 16 * 1024 };
        var layer = RandomNumberGenerator.GetBytes(80 * 1024);
        var config = "{}"u8.ToArray();
        var configDescriptor = new OciDescriptor { MediaType = "application/vnd.oci.image.config.v1+json", Digest = OciDigest.Of(config), Size = config.Length };
        var layerDescriptor = new OciDescriptor { MediaType = "application/vnd.oci.image.layer.v1.tar+gzip", Digest = OciDigest.Of(layer), Size = layer.Length };
        var manifest = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { schemaVersion = 2, mediaType = "application/vnd.oci.image.manifest.v1+json", config = configDescriptor, layers = new[] { layerDescriptor } });
        var content = new OciContent("application/vnd.oci.image.manifest.v1+json", manifest,
            [new OciBlob(configDescriptor, () => new MemoryStream(config)), new OciBlob(layerDescriptor, () => new MemoryStream(layer))]);

        var digest = await pusher.PushAsync(afterSending ? $"{GantryServer.PoolUser}-local/lost" : $"{GantryServer.PoolUser}-local/failed", "v1", content, CancellationToken.None);

        Assert.Equal(content.Digest, digest);
        Assert.True(flaky.Lost, because);
        Assert.Equal(1, flaky.StatusChecks);
        // The config, then the layer's five 16 KiB chunks: the second one again after resuming, or all five again after starting over.
        Assert.Equal(afterSending ? 8 : 7, flaky.Patches);
        Assert.Contains(progress, p => p.Digest == layerDescriptor.Digest && p.Done == layer.Length);
    }

    private async Task<TokenResponse> LoginAsync()
    {
        using var anonymous = GantryClient.Create(server.Url);
        return await anonymous.LoginAsync(GantryServer.PoolUser, GantryServer.Password);
    }

    /// <summary>Fails the n-th PATCH of the layer: before it reaches the registry, or after (the registry keeps its bytes, the answer is lost).</summary>
    private sealed class LoseOneAnswer(HttpMessageHandler inner, int losePatch, bool afterSending) : DelegatingHandler(inner)
    {
        public int Patches { get; private set; }

        public bool Lost { get; private set; }

        public int StatusChecks { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Patch && ++Patches == losePatch && !afterSending)
            {
                Lost = true;
                throw new HttpRequestException("connection refused (test)");
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/blobs/uploads/", StringComparison.Ordinal))
            {
                StatusChecks++;
            }

            if (request.Method == HttpMethod.Patch && response.IsSuccessStatusCode && Patches == losePatch && afterSending)
            {
                response.Dispose();
                Lost = true;
                throw new HttpRequestException("connection reset (test)");
            }

            return response;
        }
    }

    private sealed class SyncProgress(Action<OciPushProgress> report) : IProgress<OciPushProgress>
    {
        public void Report(OciPushProgress value) => report(value);
    }
}
