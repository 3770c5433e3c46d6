using System.Security.Cryptography;

namespace Gantry.Client.Oci;

/// <summary>sha256 digests as OCI writes them (<c>sha256:&lt;hex&gt;</c>), the only algorithm pushed here.</summary>
public static class OciDigest
{
    public static string Of(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public static async Task<string> OfAsync(Stream content, CancellationToken cancellationToken) =>
        "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken));

    /// <summary>Whether <paramref name="digest"/> is a well-formed sha256 digest (so it can name a file under blobs/sha256/).</summary>
    public static bool IsSha256(string? digest) =>
        digest is { Length: 71 } && digest.StartsWith("sha256:", StringComparison.Ordinal) && digest[7..].All(char.IsAsciiHexDigitLower);
}
