namespace Gantry.Server.Registry;

/// <summary>
/// An image in Gantry's own registry as <c>gantry deploy --local</c> writes it into a claim:
/// <c>host/repository@digest</c>, the host being the registry's. The retention sweep and the warnings it leaves read
/// claims' images through this one parser, so they agree on which images are the registry's.
/// </summary>
internal readonly record struct LocalImageReference(string Repository, string Digest)
{
    /// <summary><c>repository@digest</c>, as the sweep names what it deleted.</summary>
    public string Reference => Repository + "@" + Digest;

    /// <summary>The reference when <paramref name="image"/> is in the registry at <paramref name="registryUrl"/> and pinned by digest; else null.</summary>
    public static LocalImageReference? Parse(string? image, string registryUrl)
    {
        var prefix = new Uri(registryUrl).Authority + "/";
        if (image is null || !image.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var at = image.IndexOf('@', prefix.Length);
        return at > prefix.Length && at < image.Length - 1 ? new LocalImageReference(image[prefix.Length..at], image[(at + 1)..]) : null;
    }
}
