using System.Security.Cryptography;
using System.Text;

namespace Gantry.Sealing.Keys;

/// <summary>
/// A 256-bit master key that protects escrowed private keys at rest. It comes from a file or an environment
/// variable, never from the data folder; <see cref="Id"/> names it inside each escrowed blob so keys can rotate.
/// </summary>
public sealed class EscrowMasterKey
{
    public const int KeyBytes = 32;

    private readonly byte[] _key;

    private EscrowMasterKey(string id, byte[] key)
    {
        if (string.IsNullOrEmpty(id) || Encoding.UTF8.GetByteCount(id) > byte.MaxValue)
        {
            throw new SealingException("an escrow master key id must be 1 to 255 bytes of UTF-8");
        }

        if (key.Length != KeyBytes)
        {
            throw new SealingException($"an escrow master key must be {KeyBytes} bytes; got {key.Length}");
        }

        Id = id;
        _key = key;
    }

    public string Id { get; }

    internal ReadOnlySpan<byte> Key => _key;

    /// <summary>A new random master key (for setup tooling and tests).</summary>
    public static EscrowMasterKey Generate(string id) => new(id, RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>Reads a master key given as base64 of 32 bytes (e.g. the content of a key file or an environment variable).</summary>
    public static EscrowMasterKey FromBase64(string id, string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        try
        {
            return new EscrowMasterKey(id, Convert.FromBase64String(base64.Trim()));
        }
        catch (FormatException ex)
        {
            throw new SealingException($"the escrow master key '{id}' is not valid base64", ex);
        }
    }

    /// <summary>The key as base64, to write into a key file once at setup.</summary>
    public string ToBase64() => Convert.ToBase64String(_key);
}

/// <summary>
/// Keeps tenant private keys encrypted at rest for disaster recovery: AES-256-GCM under a master key with a
/// random nonce. Blob layout (then base64): "GKE1" || version (1 byte, =1) || id length (1 byte) || id (UTF-8)
/// || nonce (12) || ciphertext (PKCS#1 DER) || tag (16); the header up to and including the nonce is authenticated.
/// </summary>
public sealed class SealingKeyEscrow
{
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private static readonly byte[] Magic = "GKE1"u8.ToArray();

    private readonly EscrowMasterKey[] _keys;

    /// <param name="masterKeys">The current master key first; older ones after it still open what they protected.</param>
    public SealingKeyEscrow(IEnumerable<EscrowMasterKey> masterKeys)
    {
        ArgumentNullException.ThrowIfNull(masterKeys);
        _keys = [.. masterKeys];
        if (_keys.Length == 0)
        {
            throw new SealingException("escrow needs at least one master key");
        }
    }

    public string CurrentKeyId => _keys[0].Id;

    /// <summary>Encrypts <paramref name="privateKey"/> under the current master key.</summary>
    public string Protect(SealingPrivateKey privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        var master = _keys[0];
        var id = Encoding.UTF8.GetBytes(master.Id);
        var headerLength = Magic.Length + 2 + id.Length + NonceBytes;
        var plaintext = privateKey.ExportPkcs1();
        try
        {
            var blob = new byte[headerLength + plaintext.Length + TagBytes];
            Magic.CopyTo(blob, 0);
            blob[Magic.Length] = Version;
            blob[Magic.Length + 1] = (byte)id.Length;
            id.CopyTo(blob, Magic.Length + 2);
            var nonce = blob.AsSpan(headerLength - NonceBytes, NonceBytes);
            RandomNumberGenerator.Fill(nonce);

            using var aes = new AesGcm(master.Key, TagBytes);
            aes.Encrypt(nonce, plaintext, blob.AsSpan(headerLength, plaintext.Length), blob.AsSpan(headerLength + plaintext.Length), blob.AsSpan(0, headerLength));
            return Convert.ToBase64String(blob);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Decrypts what <see cref="Protect"/> made; a wrong or unknown master key or an altered blob is a <see cref="SealingException"/>.</summary>
    public SealingPrivateKey Unprotect(string escrowed)
    {
        ArgumentNullException.ThrowIfNull(escrowed);
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(escrowed);
        }
        catch (FormatException ex)
        {
            throw new SealingException("the escrowed key is not valid base64", ex);
        }

        if (blob.Length < Magic.Length + 2 || !blob.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new SealingException("the escrowed key is not in Gantry's escrow format");
        }

        if (blob[Magic.Length] != Version)
        {
            throw new SealingException($"the escrowed key has format version {blob[Magic.Length]}; this Gantry reads version {Version}");
        }

        int idLength = blob[Magic.Length + 1];
        var headerLength = Magic.Length + 2 + idLength + NonceBytes;
        if (blob.Length < headerLength + TagBytes)
        {
            throw new SealingException("the escrowed key is truncated");
        }

        var id = Encoding.UTF8.GetString(blob, Magic.Length + 2, idLength);
        var master = Array.Find(_keys, k => k.Id == id)
            ?? throw new SealingException($"the escrowed key was protected with master key '{id}', which is not configured");

        var cipherLength = blob.Length - headerLength - TagBytes;
        var plaintext = new byte[cipherLength];
        try
        {
            using var aes = new AesGcm(master.Key, TagBytes);
            aes.Decrypt(blob.AsSpan(headerLength - NonceBytes, NonceBytes), blob.AsSpan(headerLength, cipherLength),
                blob.AsSpan(headerLength + cipherLength), plaintext, blob.AsSpan(0, headerLength));
            return SealingPrivateKey.FromPkcs1(plaintext);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new SealingException($"the escrowed key does not decrypt with master key '{id}': wrong key or altered data", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
