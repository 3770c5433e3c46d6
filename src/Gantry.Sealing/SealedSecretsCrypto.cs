using System.Buffers.Binary;
using System.Security.Cryptography;
using Gantry.Sealing.Keys;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Security;

namespace Gantry.Sealing;

/// <summary>
/// The per-value hybrid encryption of Sealed Secrets, byte for byte
/// (bitnami-labs/sealed-secrets pkg/crypto/crypto.go HybridEncrypt / HybridDecrypt):
/// u16be(len(wrapped)) || RSA-OAEP(SHA-256, MGF1-SHA-256, label)(session key) || AES-256-GCM(zero nonce)(value) || tag.
/// </summary>
/// <remarks>
/// .NET's <see cref="RSAEncryptionPadding"/> cannot carry an OAEP label, so the key wrap uses BouncyCastle;
/// the bulk encryption uses the platform's <see cref="AesGcm"/>.
/// </remarks>
public static class SealedSecretsCrypto
{
    private const int SessionKeyBytes = 32;
    private const int TagBytes = 16;
    private const int LengthPrefixBytes = 2;

    // A zero nonce is safe: every session key encrypts exactly one value (crypto.go comment).
    private static readonly byte[] ZeroNonce = new byte[12];
    // OAEP seeds straight from the OS CSPRNG (thread-safe), not a user-space PRNG.
    private static readonly SecureRandom Random = new(new CryptoApiRandomGenerator());

    /// <summary>Encrypts <paramref name="plaintext"/> for the holder of the private key matching <paramref name="publicKey"/>.</summary>
    public static byte[] HybridEncrypt(SealingCertificate publicKey, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> label)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        Span<byte> sessionKey = stackalloc byte[SessionKeyBytes];
        RandomNumberGenerator.Fill(sessionKey);
        try
        {
            var oaep = NewOaep(label);
            oaep.Init(true, new ParametersWithRandom(publicKey.PublicKey, Random));
            var wrapped = oaep.ProcessBlock(sessionKey.ToArray(), 0, SessionKeyBytes);

            var output = new byte[LengthPrefixBytes + wrapped.Length + plaintext.Length + TagBytes];
            BinaryPrimitives.WriteUInt16BigEndian(output, checked((ushort)wrapped.Length));
            wrapped.CopyTo(output, LengthPrefixBytes);
            var body = output.AsSpan(LengthPrefixBytes + wrapped.Length);
            using var aes = new AesGcm(sessionKey, TagBytes);
            aes.Encrypt(ZeroNonce, plaintext, body[..plaintext.Length], body[plaintext.Length..]);
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sessionKey);
        }
    }

    /// <summary>
    /// Decrypts a value with the first of <paramref name="privateKeys"/> that opens it, as the controller does.
    /// Throws <see cref="SealingException"/> when the input is malformed or no key opens it under <paramref name="label"/>;
    /// never returns partial plaintext.
    /// </summary>
    public static byte[] HybridDecrypt(IReadOnlyCollection<SealingPrivateKey> privateKeys, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> label)
    {
        ArgumentNullException.ThrowIfNull(privateKeys);
        if (privateKeys.Count == 0)
        {
            throw new SealingException("no private key was given to decrypt with");
        }

        if (ciphertext.Length < LengthPrefixBytes)
        {
            throw new SealingException("the sealed value is truncated");
        }

        int wrappedLength = BinaryPrimitives.ReadUInt16BigEndian(ciphertext);
        if (ciphertext.Length < LengthPrefixBytes + wrappedLength + TagBytes)
        {
            throw new SealingException("the sealed value is truncated");
        }

        var wrapped = ciphertext.Slice(LengthPrefixBytes, wrappedLength).ToArray();
        var body = ciphertext[(LengthPrefixBytes + wrappedLength)..];
        foreach (var key in privateKeys)
        {
            var plaintext = TryDecrypt(key.Parameters, wrapped, body, label);
            if (plaintext is not null)
            {
                return plaintext;
            }
        }

        throw new SealingException(
            "the sealed value does not decrypt: it was sealed for another key or another scope, namespace or name, or it was altered");
    }

    private static byte[]? TryDecrypt(AsymmetricKeyParameter privateKey, byte[] wrapped, ReadOnlySpan<byte> body, ReadOnlySpan<byte> label)
    {
        byte[] sessionKey;
        try
        {
            var oaep = NewOaep(label);
            oaep.Init(false, privateKey);
            // Go's rsa.DecryptOAEP demands exactly the modulus length.
            if (wrapped.Length != oaep.GetInputBlockSize())
            {
                return null;
            }

            sessionKey = oaep.ProcessBlock(wrapped, 0, wrapped.Length);
        }
        catch (CryptoException)
        {
            // InvalidCipherTextException (wrong key or label) and DataLengthException both mean "not this key".
            return null;
        }

        try
        {
            // Go's aes.NewCipher accepts 16, 24 and 32-byte keys; kubeseal always makes 32.
            if (sessionKey.Length is not (16 or 24 or 32))
            {
                return null;
            }

            var plaintextLength = body.Length - TagBytes;
            var plaintext = new byte[plaintextLength];
            using var aes = new AesGcm(sessionKey, TagBytes);
            try
            {
                aes.Decrypt(ZeroNonce, body[..plaintextLength], body[plaintextLength..], plaintext);
            }
            catch (AuthenticationTagMismatchException)
            {
                CryptographicOperations.ZeroMemory(plaintext);
                return null;
            }

            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sessionKey);
        }
    }

    private static OaepEncoding NewOaep(ReadOnlySpan<byte> label) =>
        new(new RsaBlindedEngine(), new Sha256Digest(), new Sha256Digest(), label.ToArray());
}
