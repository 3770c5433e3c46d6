using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gantry.Client.Oci;

/// <summary>
/// A service's infrastructure folder as an OCI artifact (the design's <c>&lt;service&gt;-ansible:&lt;tag&gt;</c>): one
/// gzip'd tar layer of the folder and a config naming the artifact type, as ORAS pushes artifacts to registries that
/// predate image-spec 1.1 (distribution 2.8). The tar is reproducible (entries sorted, times, owners and modes fixed),
/// so pushing an unchanged folder again finds its layer in the registry. The manifest carries
/// <c>org.opencontainers.image.created</c>, from which Gantry's retention sweep ages it.
/// </summary>
public static class OciArtifactPacker
{
    public const string ConfigMediaType = "application/vnd.gantry.ansible.config.v1+json";
    public const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";

    private static readonly DateTimeOffset FixedTime = DateTimeOffset.UnixEpoch;

    public static OciContent Pack(string folder, DateTimeOffset created)
    {
        if (!Directory.Exists(folder))
        {
            throw new OciLayoutException($"{folder}: no such folder (the service's infrastructure folder)");
        }

        var layer = Tarball(folder);
        var config = "{}"u8.ToArray();
        var configDescriptor = new OciDescriptor { MediaType = ConfigMediaType, Digest = OciDigest.Of(config), Size = config.Length };
        var layerDescriptor = new OciDescriptor
        {
            MediaType = LayerMediaType,
            Digest = OciDigest.Of(layer),
            Size = layer.Length,
            Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["org.opencontainers.image.title"] = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))) },
        };
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = JsonSerializer.SerializeToNode(configDescriptor),
            ["layers"] = new JsonArray(JsonSerializer.SerializeToNode(layerDescriptor)),
            ["annotations"] = new JsonObject { ["org.opencontainers.image.created"] = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) },
        };
        return new OciContent(
            "application/vnd.oci.image.manifest.v1+json",
            JsonSerializer.SerializeToUtf8Bytes(manifest),
            [new OciBlob(configDescriptor, () => new MemoryStream(config, writable: false)), new OciBlob(layerDescriptor, () => new MemoryStream(layer, writable: false))]);
    }

    private static byte[] Tarball(string folder)
    {
        var root = Path.GetFullPath(folder);
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var entries = Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
                .Select(p => (Full: p, Name: Path.GetRelativePath(root, p).Replace(Path.DirectorySeparatorChar, '/')))
                .OrderBy(e => e.Name, StringComparer.Ordinal);
            foreach (var (full, name) in entries)
            {
                var isFolder = Directory.Exists(full);
                var entry = new UstarTarEntry(isFolder ? TarEntryType.Directory : TarEntryType.RegularFile, isFolder ? name + "/" : name)
                {
                    ModificationTime = FixedTime,
                    Mode = isFolder ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
                    Uid = 0,
                    Gid = 0,
                };
                if (!isFolder)
                {
                    entry.DataStream = File.OpenRead(full);
                }

                tar.WriteEntry(entry);
                entry.DataStream?.Dispose();
            }
        }

        return output.ToArray();
    }
}
