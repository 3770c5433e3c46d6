using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Gantry.Sealing.Keys;

/// <summary>An RSA private key that opens sealed values. Keep it out of logs, responses and the database in clear.</summary>
public sealed class SealingPrivateKey
{
    private readonly byte[] _pkcs1;

    private SealingPrivateKey(RSA rsa)
    {
        _pkcs1 = rsa.ExportRSAPrivateKey();
        KeySizeBits = rsa.KeySize;
        PublicKeyFingerprint = FingerprintOf(rsa);
        Parameters = DotNetUtilities.GetRsaKeyPair(rsa.ExportParameters(true)).Private;
    }

    /// <summary>Upper-case hex SHA-256 of the DER SubjectPublicKeyInfo, to match a key with its certificate.</summary>
    public string PublicKeyFingerprint { get; }

    public int KeySizeBits { get; }

    internal AsymmetricKeyParameter Parameters { get; }

    /// <summary>Copies the key out of <paramref name="rsa"/>, which the caller still owns.</summary>
    public static SealingPrivateKey FromRsa(RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        try
        {
            return new SealingPrivateKey(rsa);
        }
        catch (CryptographicException ex)
        {
            throw new SealingException("the RSA key has no private part", ex);
        }
    }

    /// <summary>Reads a DER PKCS#1 RSAPrivateKey.</summary>
    public static SealingPrivateKey FromPkcs1(ReadOnlySpan<byte> der)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportRSAPrivateKey(der, out var read);
            if (read != der.Length)
            {
                throw new SealingException("the private key has trailing data");
            }
        }
        catch (CryptographicException ex)
        {
            throw new SealingException("the private key is not a valid PKCS#1 RSA private key", ex);
        }

        return new SealingPrivateKey(rsa);
    }

    /// <summary>The key as DER PKCS#1 RSAPrivateKey. The caller should zero the array when done.</summary>
    public byte[] ExportPkcs1() => (byte[])_pkcs1.Clone();

    /// <summary>The key as PEM "RSA PRIVATE KEY" (PKCS#1), the form the controller stores in tls.key.</summary>
    public string ExportPkcs1Pem()
    {
        using var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(_pkcs1, out _);
        return rsa.ExportRSAPrivateKeyPem();
    }

    internal static string FingerprintOf(RSA rsa) => Convert.ToHexString(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()));
}
