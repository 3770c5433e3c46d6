using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Client.Oci;

/// <summary>
/// A developer's image build: an OCI image layout folder (image-spec image-layout.md: <c>oci-layout</c>,
/// <c>index.json</c>, <c>blobs/sha256/…</c>) or a tarball of one (<c>docker save</c> since Docker 25,
/// <c>skopeo copy … oci-archive:</c>), or the older <c>docker save</c> tarball (<c>manifest.json</c>, whose image
/// becomes a Docker schema 2 manifest here). A tarball is unpacked into a temp folder, removed on dispose. Every blob
/// is checked against its digest and size before anything is pushed.
/// </summary>
public sealed class OciImageLayout : IDisposable
{
    private const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    private static readonly string[] Indexes = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

    private readonly string? _unpacked;

    private OciImageLayout(OciContent content, string? unpacked)
    {
        Content = content;
        _unpacked = unpacked;
    }

    /// <summary>The image's manifest and blobs.</summary>
    public OciContent Content { get; }

    /// <summary>Reads the layout folder or tarball at <paramref name="path"/>; throws <see cref="OciLayoutException"/> naming what is wrong.</summary>
    public static async Task<OciImageLayout> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            return new OciImageLayout(await ReadFolderAsync(path, path, cancellationToken), null);
        }

        if (!File.Exists(path))
        {
            throw new OciLayoutException($"{path}: no such folder or file (an OCI image layout folder or a docker save tarball)");
        }

        var folder = Directory.CreateTempSubdirectory("gantry-image-").FullName;
        try
        {
            try
            {
                // ExtractToDirectory refuses entries that would land outside the folder.
                await TarFile.ExtractToDirectoryAsync(path, folder, overwriteFiles: false, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
            {
                throw new OciLayoutException($"{path} is not a tarball (docker save or an OCI layout archive): {ex.Message}");
            }

            var content = File.Exists(Path.Combine(folder, "index.json"))
                ? await ReadFolderAsync(folder, path, cancellationToken)
                : await ReadDockerSaveAsync(folder, path, cancellationToken);
            return new OciImageLayout(content, folder);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public void Dispose()
    {
        if (_unpacked is not null && Directory.Exists(_unpacked))
        {
            Directory.Delete(_unpacked, recursive: true);
        }
    }

    private static async Task<OciContent> ReadFolderAsync(string folder, string shownAs, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(folder, "oci-layout")) || !File.Exists(Path.Combine(folder, "index.json")))
        {
            throw new OciLayoutException($"{shownAs} is not an OCI image layout: it needs oci-layout and index.json (docker buildx build --output type=oci,tar=false,dest=…)");
        }

        var index = await ReadJsonAsync(Path.Combine(folder, "index.json"), shownAs, cancellationToken);
        var manifests = index["manifests"] as JsonArray ?? throw new OciLayoutException($"{shownAs}: index.json has no manifests");
        if (manifests.Count != 1 || manifests[0] is not JsonObject only)
        {
            throw new OciLayoutException($"{shownAs}: index.json names {manifests.Count} manifests; export exactly one image");
        }

        var descriptor = Descriptor(only, shownAs);
        if (Indexes.Contains(descriptor.MediaType))
        {
            throw new OciLayoutException($"{shownAs} holds a multi-platform index; export a single platform (--platform linux/amd64)");
        }

        var manifestPath = await CheckedBlobAsync(folder, descriptor, shownAs, cancellationToken);
        var manifestBytes = await File.ReadAllBytesAsync(manifestPath, cancellationToken);
        var manifest = Parse(manifestBytes, $"{shownAs}: manifest {descriptor.Digest}");
        var blobs = new List<OciBlob>();
        foreach (var node in new[] { manifest["config"] }.Concat(manifest["layers"] as JsonArray ?? []))
        {
            var blob = Descriptor(node as JsonObject ?? throw new OciLayoutException($"{shownAs}: manifest {descriptor.Digest} names a blob without a descriptor"), shownAs);
            var blobPath = await CheckedBlobAsync(folder, blob, shownAs, cancellationToken);
            blobs.Add(new OciBlob(blob, () => File.OpenRead(blobPath)));
        }

        var mediaType = Text(manifest["mediaType"]) ?? descriptor.MediaType;
        return new OciContent(mediaType, manifestBytes, blobs);
    }

    /// <summary>Docker's legacy save format (image/docker/save.go): manifest.json lists Config and Layers files per image.</summary>
    private static async Task<OciContent> ReadDockerSaveAsync(string folder, string shownAs, CancellationToken cancellationToken)
    {
        var listPath = Path.Combine(folder, "manifest.json");
        if (!File.Exists(listPath))
        {
            throw new OciLayoutException($"{shownAs} is neither an OCI layout archive (index.json) nor a docker save tarball (manifest.json)");
        }

        var list = ParseNode(await File.ReadAllBytesAsync(listPath, cancellationToken), $"{shownAs}: manifest.json");
        if (list is not JsonArray { Count: 1 } images || images[0] is not JsonObject image
            || Text(image["Config"]) is not { } config || image["Layers"] is not JsonArray layers)
        {
            throw new OciLayoutException($"{shownAs}: manifest.json must describe exactly one image with Config and Layers");
        }

        var configBlob = await FileBlobAsync(folder, config, "application/vnd.docker.container.image.v1+json", shownAs, cancellationToken);
        var blobs = new List<OciBlob> { configBlob };
        foreach (var layer in layers)
        {
            blobs.Add(await FileBlobAsync(folder, Text(layer) ?? string.Empty, "application/vnd.docker.image.rootfs.diff.tar", shownAs, cancellationToken));
        }

        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = DockerManifest,
            ["config"] = JsonSerializer.SerializeToNode(configBlob.Descriptor),
            ["layers"] = new JsonArray([.. blobs.Skip(1).Select(b => JsonSerializer.SerializeToNode(b.Descriptor))]),
        };
        return new OciContent(DockerManifest, JsonSerializer.SerializeToUtf8Bytes(manifest), blobs);
    }

    private static async Task<OciBlob> FileBlobAsync(string folder, string name, string mediaType, string shownAs, CancellationToken cancellationToken)
    {
        // Names come from the tarball: only relative paths inside the unpacked folder.
        var full = Path.GetFullPath(Path.Combine(folder, name));
        if (name.Length == 0 || Path.IsPathRooted(name) || !full.StartsWith(Path.GetFullPath(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(full))
        {
            throw new OciLayoutException($"{shownAs}: manifest.json names '{name}', which the tarball does not hold");
        }

        await using var stream = File.OpenRead(full);
        var digest = await OciDigest.OfAsync(stream, cancellationToken);
        return new OciBlob(new OciDescriptor { MediaType = mediaType, Digest = digest, Size = stream.Length }, () => File.OpenRead(full));
    }

    private static async Task<string> CheckedBlobAsync(string folder, OciDescriptor descriptor, string shownAs, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, "blobs", "sha256", descriptor.Digest["sha256:".Length..]);
        if (!File.Exists(path))
        {
            throw new OciLayoutException($"{shownAs}: blob {descriptor.Digest} is missing (blobs/sha256/)");
        }

        await using var stream = File.OpenRead(path);
        if (stream.Length != descriptor.Size || await OciDigest.OfAsync(stream, cancellationToken) != descriptor.Digest)
        {
            throw new OciLayoutException($"{shownAs}: blob {descriptor.Digest} does not match its digest or size");
        }

        return path;
    }

    private static OciDescriptor Descriptor(JsonObject node, string shownAs)
    {
        var digest = Text(node["digest"]);
        var mediaType = Text(node["mediaType"]);
        var size = node["size"]?.GetValueKind() == JsonValueKind.Number ? node["size"]!.GetValue<long>() : -1;
        return OciDigest.IsSha256(digest) && mediaType is not null && size >= 0
            ? new OciDescriptor { MediaType = mediaType, Digest = digest!, Size = size }
            : throw new OciLayoutException($"{shownAs}: a descriptor needs mediaType, a sha256 digest and size");
    }

    private static async Task<JsonObject> ReadJsonAsync(string path, string shownAs, CancellationToken cancellationToken) =>
        Parse(await File.ReadAllBytesAsync(path, cancellationToken), $"{shownAs}: {Path.GetFileName(path)}");

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    private static JsonObject Parse(byte[] bytes, string what) =>
        ParseNode(bytes, what) as JsonObject ?? throw new OciLayoutException($"{what} is not a JSON object");

    private static JsonNode? ParseNode(byte[] bytes, string what)
    {
        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new OciLayoutException($"{what} is not JSON: {ex.Message}");
        }
    }
}

/// <summary>A build to push is missing or not what it claims to be.</summary>
public sealed class OciLayoutException(string message) : Exception(message);
