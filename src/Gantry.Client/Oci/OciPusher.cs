using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Gantry.Client.Oci;

/// <summary>
/// Pushes a manifest and its blobs to a registry with the OCI distribution API (distribution-spec spec.md "Push"):
/// a blob the registry already has (HEAD answers 200) is skipped; the others go up in chunks (POST, then PATCH with
/// <c>Content-Range</c>, then PUT with the digest), and a chunk that fails resumes from the offset the registry reports
/// in <c>Range</c> (GET on the upload). Tokens come from <paramref name="tokens"/> when the registry challenges.
/// </summary>
public sealed class OciPusher(HttpClient http, Uri registry, RegistryTokenSource tokens, IProgress<OciPushProgress>? progress = null)
{
    private const int ResumeAttempts = 3;

    /// <summary>Bytes per PATCH.</summary>
    public int ChunkSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Pushes every blob, then the manifest under <paramref name="tag"/>; answers the manifest's digest.</summary>
    public async Task<string> PushAsync(string repository, string tag, OciContent content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var auth = new RepositoryAuth(repository, tokens);
        foreach (var blob in content.Blobs)
        {
            await PushBlobAsync(auth, blob, cancellationToken);
        }

        using var response = await SendAsync(auth, () =>
        {
            var put = new HttpRequestMessage(HttpMethod.Put, Address($"v2/{repository}/manifests/{tag}")) { Content = new ByteArrayContent(content.Manifest) };
            put.Content.Headers.ContentType = new MediaTypeHeaderValue(content.MediaType);
            return put;
        }, cancellationToken);
        await EnsureAsync(response, $"PUT manifest {repository}:{tag}", cancellationToken);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var digest) ? digest.First() : content.Digest;
    }

    private async Task PushBlobAsync(RepositoryAuth auth, OciBlob blob, CancellationToken cancellationToken)
    {
        var descriptor = blob.Descriptor;
        using (var head = await SendAsync(auth, () => new HttpRequestMessage(HttpMethod.Head, Address($"v2/{auth.Repository}/blobs/{descriptor.Digest}")), cancellationToken))
        {
            if (head.StatusCode == HttpStatusCode.OK)
            {
                progress?.Report(new OciPushProgress(auth.Repository, descriptor.Digest, descriptor.Size, descriptor.Size, Skipped: true));
                return;
            }
        }

        Uri location;
        using (var started = await SendAsync(auth, () => new HttpRequestMessage(HttpMethod.Post, Address($"v2/{auth.Repository}/blobs/uploads/")), cancellationToken))
        {
            await EnsureAsync(started, $"POST blob upload to {auth.Repository}", cancellationToken);
            location = UploadLocation(started);
        }

        await using var source = blob.Open();
        var buffer = new byte[ChunkSize];
        long offset = 0;
        var failures = 0;
        while (offset < descriptor.Size)
        {
            source.Seek(offset, SeekOrigin.Begin);
            var length = await source.ReadAtLeastAsync(buffer, (int)Math.Min(buffer.Length, descriptor.Size - offset), throwOnEndOfStream: true, cancellationToken);
            try
            {
                var start = offset;
                using var patched = await SendAsync(auth, () =>
                {
                    var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(buffer, 0, length) };
                    patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    // distribution-spec: "Content-Range: <range>" is start-end, inclusive, without a unit.
                    patch.Content.Headers.TryAddWithoutValidation("Content-Range", string.Create(CultureInfo.InvariantCulture, $"{start}-{start + length - 1}"));
                    return patch;
                }, cancellationToken);
                if (patched.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    throw new HttpRequestException("the registry's upload offset differs from ours", null, patched.StatusCode);
                }

                await EnsureAsync(patched, $"PATCH blob {descriptor.Digest} to {auth.Repository}", cancellationToken);
                location = UploadLocation(patched);
                offset += length;
                progress?.Report(new OciPushProgress(auth.Repository, descriptor.Digest, offset, descriptor.Size, Skipped: false));
            }
            catch (HttpRequestException) when (++failures <= ResumeAttempts)
            {
                (location, offset) = await ResumeAsync(auth, location, offset, cancellationToken);
            }
        }

        using var done = await SendAsync(auth, () =>
        {
            var builder = new UriBuilder(location);
            var digest = "digest=" + Uri.EscapeDataString(descriptor.Digest);
            builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&" + digest : digest;
            return new HttpRequestMessage(HttpMethod.Put, builder.Uri) { Content = new ByteArrayContent([]) };
        }, cancellationToken);
        await EnsureAsync(done, $"PUT blob {descriptor.Digest} to {auth.Repository}", cancellationToken);
    }

    /// <summary>
    /// distribution-spec "Resuming an upload": GET the upload; its <c>Range: 0-N</c> says N+1 bytes arrived, and its
    /// <c>Location</c> is where to go on. When the registry no longer knows the upload at that location (distribution
    /// signs the offset into the location's <c>_state</c>, so a chunk whose answer was lost leaves a stale one), the blob
    /// starts again in a new upload.
    /// </summary>
    private async Task<(Uri Location, long Offset)> ResumeAsync(RepositoryAuth auth, Uri location, long confirmed, CancellationToken cancellationToken)
    {
        using (var status = await SendAsync(auth, () => new HttpRequestMessage(HttpMethod.Get, location), cancellationToken))
        {
            var range = status.Headers.TryGetValues("Range", out var values) ? values.First() : null;
            var dash = range?.IndexOf('-', StringComparison.Ordinal) ?? -1;
            if (status.IsSuccessStatusCode && dash > 0 && long.TryParse(range![(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                // An empty upload answers 0-0 too: only a confirmed byte makes it one byte.
                return (status.Headers.Location is null ? location : UploadLocation(status), last == 0 && confirmed == 0 ? 0 : last + 1);
            }

            if (status.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                await EnsureAsync(status, $"GET upload status in {auth.Repository}", cancellationToken);
            }
        }

        using var restarted = await SendAsync(auth, () => new HttpRequestMessage(HttpMethod.Post, Address($"v2/{auth.Repository}/blobs/uploads/")), cancellationToken);
        await EnsureAsync(restarted, $"POST blob upload to {auth.Repository}", cancellationToken);
        return (UploadLocation(restarted), 0);
    }

    /// <summary>Sends with the repository's token; on a challenge (none yet, or expired), asks for one and sends once more.</summary>
    private async Task<HttpResponseMessage> SendAsync(RepositoryAuth auth, Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        using (var request = create())
        {
            auth.Apply(request);
            var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return response;
            }

            var challenge = RegistryChallenge.Find(response);
            response.Dispose();
            if (challenge is null)
            {
                throw new OciPushException($"{registry.Authority} asks for credentials but not for a bearer token; only token authentication is supported", 401);
            }

            await auth.RenewAsync(challenge, cancellationToken);
        }

        using var retry = create();
        auth.Apply(retry);
        return await http.SendAsync(retry, cancellationToken);
    }

    private async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var detail = RegistryErrors.Describe(body);
        throw status is 401 or 403
            ? new OciPushException($"{registry.Authority} refused {what} ({status}{detail}): your token does not allow it; you may push only to your own -local namespace", status)
            : new OciPushException($"{registry.Authority} failed {what}: {status}{detail}", status);
    }

    private Uri UploadLocation(HttpResponseMessage response) =>
        response.Headers.Location is { } location
            ? new Uri(registry, location)
            : throw new OciPushException($"{registry.Authority} answered the upload without a Location", (int)response.StatusCode);

    private Uri Address(string path) => new(registry, path);

    /// <summary>The token of one repository's push, fetched on the first challenge.</summary>
    private sealed class RepositoryAuth(string repository, RegistryTokenSource tokens)
    {
        private string? _token;

        public string Repository => repository;

        public void Apply(HttpRequestMessage request)
        {
            if (_token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            }
        }

        public async Task RenewAsync(RegistryChallenge challenge, CancellationToken cancellationToken)
        {
            // Ask for push and pull on this repository whatever the challenge names: one token serves the whole push.
            _token = await tokens(challenge with { Scope = $"repository:{repository}:push,pull" }, cancellationToken);
        }
    }
}

/// <summary>Answers a registry token for a challenge (from Gantry's token server, with the user's Gantry credentials).</summary>
public delegate Task<string> RegistryTokenSource(RegistryChallenge challenge, CancellationToken cancellationToken);
