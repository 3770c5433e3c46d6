using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.Sealing.Manifests;

namespace Gantry.Sealing.Keys;

/// <summary>Reads sealing private keys from the forms operators have at hand.</summary>
public static class SealingPrivateKeys
{
    /// <summary>
    /// Reads every RSA private key in <paramref name="text"/>: PEM blocks "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY"
    /// (PKCS#8), or a controller key Secret manifest (YAML/JSON, <c>data["tls.key"]</c>), or a <c>List</c> of them
    /// (<c>kubectl get secret -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml</c>).
    /// </summary>
    public static IReadOnlyList<SealingPrivateKey> Load(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains("-----BEGIN", StringComparison.Ordinal) && !LooksLikeManifest(text)
            ? FromPem(text)
            : FromManifest(ManifestText.Parse(text));
    }

    /// <summary>Reads every private key PEM block of <paramref name="pem"/>.</summary>
    public static IReadOnlyList<SealingPrivateKey> FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var keys = new List<SealingPrivateKey>();
        var rest = pem.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            var der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(rest.Span[fields.Base64Data], der, out var written))
            {
                throw new SealingException($"the PEM block \"{label}\" is not valid base64");
            }

            try
            {
                switch (label)
                {
                    case "RSA PRIVATE KEY":
                        keys.Add(SealingPrivateKey.FromPkcs1(der.AsSpan(0, written)));
                        break;
                    case "PRIVATE KEY":
                        keys.Add(FromPkcs8(der.AsSpan(0, written)));
                        break;
                    case "ENCRYPTED PRIVATE KEY":
                        throw new SealingException("encrypted PKCS#8 private keys are not supported; decrypt it first (openssl pkey)");
                    default:
                        break; // certificates and other blocks beside the key are fine
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(der);
            }

            rest = rest[fields.Location.End..];
        }

        return keys.Count > 0 ? keys : throw new SealingException("no RSA private key PEM block was found");
    }

    private static SealingPrivateKey FromPkcs8(ReadOnlySpan<byte> der)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportPkcs8PrivateKey(der, out _);
        }
        catch (CryptographicException ex)
        {
            throw new SealingException("the private key is not a valid PKCS#8 RSA private key", ex);
        }

        return SealingPrivateKey.FromRsa(rsa);
    }

    private static IReadOnlyList<SealingPrivateKey> FromManifest(JsonObject root)
    {
        if (root["kind"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && (string?)root["kind"] == "List")
        {
            var items = root["items"] as JsonArray ?? throw new SealingException("the List has no items");
            var keys = new List<SealingPrivateKey>();
            foreach (var item in items)
            {
                keys.AddRange(FromSecret(item as JsonObject ?? throw new SealingException("a List item is not an object")));
            }

            return keys.Count > 0 ? keys : throw new SealingException("the List holds no key Secret");
        }

        return FromSecret(root);
    }

    private static IReadOnlyList<SealingPrivateKey> FromSecret(JsonObject root)
    {
        var secret = ManifestSerializer.ReadSecret(root);
        if (!secret.Data.TryGetValue("tls.key", out var keyPem))
        {
            throw new SealingException($"the Secret '{secret.Metadata.Name}' has no data[\"tls.key\"]");
        }

        return FromPem(Encoding.ASCII.GetString(keyPem));
    }

    private static bool LooksLikeManifest(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        return !trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal)
            && (trimmed.Contains("kind:", StringComparison.Ordinal) || trimmed.Contains("\"kind\"", StringComparison.Ordinal));
    }
}
