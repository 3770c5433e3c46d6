using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gantry.Sealing.Manifests;

namespace Gantry.Sealing.Keys;

/// <summary>How to generate a sealing key, by default as the Sealed Secrets controller does (cmd/controller/main.go flags).</summary>
public sealed record SealingKeyOptions
{
    /// <summary>--key-size: 4096 bits.</summary>
    public int KeySizeBits { get; init; } = 4096;

    /// <summary>--my-cn: the certificate's common name; empty (an empty subject) by default.</summary>
    public string CommonName { get; init; } = "";

    /// <summary>--key-ttl: ten years.</summary>
    public TimeSpan Validity { get; init; } = TimeSpan.FromDays(3650);
}

/// <summary>A freshly generated sealing key: the private key and its self-signed certificate.</summary>
public sealed class SealingKeyPair
{
    /// <summary>The label a Sealed Secrets controller uses to find its keys.</summary>
    public const string ControllerKeyLabel = "sealedsecrets.bitnami.com/sealed-secrets-key";

    private SealingKeyPair(SealingPrivateKey privateKey, SealingCertificate certificate)
    {
        PrivateKey = privateKey;
        Certificate = certificate;
    }

    public SealingPrivateKey PrivateKey { get; }

    public SealingCertificate Certificate { get; }

    /// <summary>
    /// Generates an RSA key and a self-signed certificate like the controller (pkg/crypto/keys.go
    /// GeneratePrivateKeyAndCert + SignKey): KeyUsage EncipherOnly, CA basic constraints, random serial,
    /// valid from now. CPU-heavy for 4096 bits (about a second): keep it off request paths, see <see cref="SealingKeyPool"/>.
    /// </summary>
    public static SealingKeyPair Generate(TimeProvider time, SealingKeyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        options ??= new SealingKeyOptions();
        using var rsa = RSA.Create(options.KeySizeBits);
        var subject = Subject(options.CommonName);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.EncipherOnly, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));

        var now = time.GetUtcNow();
        var notBefore = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        using var certificate = request.Create(subject, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            notBefore, notBefore + options.Validity, RandomSerial());
        return new SealingKeyPair(SealingPrivateKey.FromRsa(rsa), SealingCertificate.ParseUnchecked(certificate.ExportCertificatePem()));
    }

    /// <summary>
    /// Puts a stored private key back together with its certificate (e.g. for the one download of a tenant key);
    /// refuses a key that does not belong to the certificate.
    /// </summary>
    public static SealingKeyPair FromParts(SealingPrivateKey privateKey, SealingCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentNullException.ThrowIfNull(certificate);
        if (!string.Equals(privateKey.PublicKeyFingerprint, certificate.PublicKeyFingerprint, StringComparison.Ordinal))
        {
            throw new SealingException("the private key does not belong to the sealing certificate");
        }

        return new SealingKeyPair(privateKey, certificate);
    }

    /// <summary>
    /// The ready-to-apply Secret a Sealed Secrets controller loads as one of its keys: type kubernetes.io/tls,
    /// label <see cref="ControllerKeyLabel"/>=active, tls.key PKCS#1 PEM, tls.crt PEM. It holds the private key:
    /// hand it out once and never store it in clear.
    /// </summary>
    public KubernetesSecret ToControllerKeySecret(string name, string @namespace = "kube-system")
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        return new KubernetesSecret
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = @namespace,
                Labels = new Dictionary<string, string> { [ControllerKeyLabel] = "active" },
            },
            Type = "kubernetes.io/tls",
            Data = new Dictionary<string, byte[]>
            {
                ["tls.crt"] = Encoding.ASCII.GetBytes(Certificate.Pem),
                ["tls.key"] = Encoding.ASCII.GetBytes(PrivateKey.ExportPkcs1Pem()),
            },
        };
    }

    // Go: pkix.Name{CommonName: cn}; an empty CN gives an empty subject (an empty DER SEQUENCE).
    private static X500DistinguishedName Subject(string commonName)
    {
        if (string.IsNullOrEmpty(commonName))
        {
            return new X500DistinguishedName([0x30, 0x00]);
        }

        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    // Go: serialNumber, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128)); positive DER integer.
    private static byte[] RandomSerial()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        var serial = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        return serial.IsZero ? [1] : serial.ToByteArray(isUnsigned: false, isBigEndian: true);
    }
}
