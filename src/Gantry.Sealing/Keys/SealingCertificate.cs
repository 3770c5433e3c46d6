using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Gantry.Sealing.Keys;

/// <summary>
/// The public half of a sealing key: the certificate a Sealed Secrets controller serves at <c>/v1/cert.pem</c>
/// or Gantry issued for a tenant. Immutable; holds no private material.
/// </summary>
public sealed class SealingCertificate
{
    private SealingCertificate(string pem, X509Certificate2 certificate, RSA rsa)
    {
        Pem = pem;
        Subject = certificate.Subject;
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        Fingerprint = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        KeySizeBits = rsa.KeySize;
        PublicKey = DotNetUtilities.GetRsaPublicKey(rsa.ExportParameters(false));
        PublicKeyFingerprint = SealingPrivateKey.FingerprintOf(rsa);
    }

    /// <summary>The certificate as PEM: one "CERTIFICATE" block (the first of the input), newline-terminated.</summary>
    public string Pem { get; }

    public string Subject { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>Upper-case hex SHA-256 of the DER certificate (what <c>openssl x509 -fingerprint -sha256</c> shows).</summary>
    public string Fingerprint { get; }

    /// <summary>Upper-case hex SHA-256 of the DER SubjectPublicKeyInfo; equal to <see cref="SealingPrivateKey.PublicKeyFingerprint"/> of the matching key.</summary>
    public string PublicKeyFingerprint { get; }

    public int KeySizeBits { get; }

    internal RsaKeyParameters PublicKey { get; }

    /// <summary>
    /// Reads the first certificate of <paramref name="pem"/>, as kubeseal's ParseKey does, and refuses it
    /// when it has expired at <paramref name="time"/>'s now or does not carry an RSA key.
    /// </summary>
    public static SealingCertificate Parse(string pem, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(pem);
        ArgumentNullException.ThrowIfNull(time);
        var certificate = ParseUnchecked(pem);
        var now = time.GetUtcNow();
        if (now > certificate.NotAfter)
        {
            throw new SealingException(
                $"the sealing certificate expired on {certificate.NotAfter:yyyy-MM-dd HH:mm:ss}Z; fetch the controller's current certificate");
        }

        return certificate;
    }

    /// <summary>Reads a certificate without checking its validity period (for keys Gantry has just made or stored).</summary>
    public static SealingCertificate ParseUnchecked(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            throw new SealingException("the sealing certificate is not a PEM \"CERTIFICATE\"");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new SealingException("the sealing certificate is not a valid X.509 PEM certificate", ex);
        }

        using (certificate)
        {
            using var rsa = certificate.GetRSAPublicKey()
                ?? throw new SealingException("the sealing certificate does not hold an RSA public key");
            return new SealingCertificate(certificate.ExportCertificatePem() + "\n", certificate, rsa);
        }
    }
}
