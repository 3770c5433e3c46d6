using System.Text.Json.Serialization;

namespace Gantry.Client.Oci;

/// <summary>An OCI content descriptor (image-spec descriptor.md): what a manifest says of a blob.</summary>
public sealed record OciDescriptor
{
    [JsonPropertyName("mediaType")]
    public required string MediaType { get; init; }

    [JsonPropertyName("digest")]
    public required string Digest { get; init; }

    [JsonPropertyName("size")]
    public required long Size { get; init; }

    [JsonPropertyName("annotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

/// <summary>A blob to push: its descriptor and how to read it.</summary>
public sealed record OciBlob(OciDescriptor Descriptor, Func<Stream> Open);

/// <summary>A manifest with the blobs it names: everything one push sends.</summary>
public sealed record OciContent(string MediaType, byte[] Manifest, IReadOnlyList<OciBlob> Blobs)
{
    /// <summary>The manifest's digest: what a claim points at.</summary>
    public string Digest => OciDigest.Of(Manifest);
}

/// <summary>How one push is going, for a progress display.</summary>
public sealed record OciPushProgress(string Repository, string Digest, long Done, long Total, bool Skipped);

/// <summary>The registry refused a push, or the content to push is not what it claims.</summary>
public sealed class OciPushException(string message, int? statusCode = null) : Exception(message)
{
    /// <summary>The registry's HTTP status, when it answered.</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>Whether the registry refused the caller (401, 403): the push is not theirs to make.</summary>
    public bool IsRefusal => StatusCode is 401 or 403;
}
