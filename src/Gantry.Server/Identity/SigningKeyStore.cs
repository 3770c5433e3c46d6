using System.Security.Cryptography;
using System.Text.Json;
using Gantry.Core.Validation;
using Gantry.Server.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Identity;

/// <summary>One ES256 signing key. <see cref="RetiredAt"/> is when a newer key replaced it.</summary>
public sealed record SigningKey(string KeyId, DateTimeOffset CreatedAt, ECDsaSecurityKey SecurityKey)
{
    public DateTimeOffset? RetiredAt { get; init; }
}

/// <summary>
/// The keys that sign Gantry's access tokens, kept in <c>keys/</c> in the data folder (one file per key, mode 0600).
/// The newest signs; an older key stays published in the JWKS (and accepted) until every token it signed has
/// expired, then its file is deleted. A key older than <see cref="AuthOptions.SigningKeyRotationDays"/> is replaced.
/// </summary>
public sealed partial class SigningKeyStore(GantryPaths paths, IOptions<AuthOptions> options, TimeProvider time, ILogger<SigningKeyStore> logger)
{
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;

    /// <summary>The <c>typ</c> of Gantry's access tokens (RFC 9068): no other kind of JWT passes for one.</summary>
    public const string AccessTokenType = "at+jwt";

    private readonly Lock _lock = new();
    private List<SigningKey>? _keys;

    public string Folder => IsExternal ? options.Value.SigningKeysFolder! : Path.Combine(paths.DataDir, "keys");

    /// <summary>The keys come from <see cref="AuthOptions.SigningKeysFolder"/>: read, never written, rotated or deleted.</summary>
    public bool IsExternal => !string.IsNullOrWhiteSpace(options.Value.SigningKeysFolder);

    /// <summary>The key that signs new tokens, rotating first when it is due.</summary>
    public SigningKey Current
    {
        get
        {
            lock (_lock)
            {
                var keys = LoadLocked();
                var newest = keys[^1];
                if (!IsExternal && time.GetUtcNow() - newest.CreatedAt >= TimeSpan.FromDays(options.Value.SigningKeyRotationDays))
                {
                    return RotateLocked();
                }

                return newest;
            }
        }
    }

    /// <summary>Every key whose tokens may still be valid: what the JWKS publishes and the validator accepts.</summary>
    public IReadOnlyList<SigningKey> Published
    {
        get
        {
            lock (_lock)
            {
                return [.. LoadLocked()];
            }
        }
    }

    /// <summary>Makes a new signing key now; the previous one stays published until its tokens expire.</summary>
    public SigningKey Rotate()
    {
        if (IsExternal)
        {
            throw new InvalidOperationException($"Signing keys come from {AuthOptions.SectionName}:{nameof(AuthOptions.SigningKeysFolder)}; rotate by adding a newer key file there.");
        }

        lock (_lock)
        {
            LoadLocked();
            return RotateLocked();
        }
    }

    public IEnumerable<SecurityKey> Resolve(string? keyId) =>
        Published.Where(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal)).Select(k => (SecurityKey)k.SecurityKey);

    private List<SigningKey> LoadLocked()
    {
        if (_keys is null)
        {
            if (IsExternal)
            {
                _keys = FindProblem(Folder) is { } problem
                    ? throw new GantryStartupException($"{AuthOptions.SectionName}:{nameof(AuthOptions.SigningKeysFolder)} '{Folder}' is not usable: {problem}")
                    : [.. KeyFiles(Folder).Select(Read).OrderBy(k => k.CreatedAt)];
                MarkRetired(_keys);
                return _keys;
            }

            Directory.CreateDirectory(Folder);
            _keys = [.. KeyFiles(Folder).Select(Read).OrderBy(k => k.CreatedAt)];
            MarkRetired(_keys);
            if (_keys.Count == 0)
            {
                RotateLocked();
            }
        }

        if (!IsExternal)
        {
            Prune(_keys);
        }

        return _keys;
    }

    private SigningKey RotateLocked()
    {
        var now = time.GetUtcNow();
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        var file = new KeyFile(keyId, now, Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey()));

        // Created with 0600 from the first byte: the private key is never readable by others, not even briefly.
        var path = Path.Combine(Folder, $"{keyId}.json");
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, fileOptions))
        {
            JsonSerializer.Serialize(stream, file);
        }

        var key = new SigningKey(keyId, now, new ECDsaSecurityKey(ecdsa) { KeyId = keyId });
        _keys!.Add(key);
        MarkRetired(_keys);
        Log.KeyCreated(logger, keyId);
        return _keys[^1];
    }

    private static void MarkRetired(List<SigningKey> keys)
    {
        for (var i = 0; i < keys.Count - 1; i++)
        {
            keys[i] = keys[i] with { RetiredAt = keys[i + 1].CreatedAt };
        }
    }

    // A retired key signed its last token at RetiredAt; once that token has expired the key is no use to anyone.
    private void Prune(List<SigningKey> keys)
    {
        var horizon = time.GetUtcNow() - TimeSpan.FromMinutes(options.Value.AccessTokenMinutes) - TimeSpan.FromMinutes(5);
        foreach (var key in keys.Where(k => k.RetiredAt is { } retired && retired < horizon).ToList())
        {
            keys.Remove(key);
            File.Delete(Path.Combine(Folder, $"{key.KeyId}.json"));
            Log.KeyRemoved(logger, key.KeyId);
        }
    }

    /// <summary>
    /// Why the key files in <paramref name="folder"/> cannot sign Gantry's tokens, or null when they can: used at
    /// start for <see cref="AuthOptions.SigningKeysFolder"/> and by <c>check --deploy</c>.
    /// </summary>
    public static string? FindProblem(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return "the folder does not exist";
        }

        var files = KeyFiles(folder).ToList();
        if (files.Count == 0)
        {
            return "it holds no *.json key file";
        }

        foreach (var file in files)
        {
            try
            {
                _ = Read(file);
            }
            catch (JsonInputException e)
            {
                return e.Message;
            }
            catch (Exception e) when (e is JsonException or FormatException or CryptographicException or GantryStartupException or IOException)
            {
                return $"{Path.GetFileName(file)}: {e.Message}";
            }
        }

        return null;
    }

    // A Secret mounted as a volume also holds ..data and timestamped folders: only the key files themselves count.
    private static IEnumerable<string> KeyFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.json").Where(f => !Path.GetFileName(f).StartsWith('.'));

    private static SigningKey Read(string path)
    {
        // A key file comes from a mounted Secret: held to the same input rules as any other file Gantry reads.
        var bytes = File.ReadAllBytes(path);
        JsonInput.CheckFile(bytes, Path.GetFileName(path));
        var file = JsonSerializer.Deserialize<KeyFile>(bytes)
            ?? throw new GantryStartupException($"Signing key file {path} is empty.");
        if (string.IsNullOrWhiteSpace(file.KeyId) || string.IsNullOrWhiteSpace(file.PrivateKey))
        {
            throw new GantryStartupException("a key file needs KeyId, CreatedAt and PrivateKey (base64 PKCS#8).");
        }

        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(file.PrivateKey), out _);

        // ES256 is defined over P-256 only; a key of another curve or size would sign tokens nobody can verify as ES256.
        if (ecdsa.KeySize != 256)
        {
            ecdsa.Dispose();
            throw new GantryStartupException("the key is not an ECDSA P-256 key (ES256 needs P-256).");
        }

        return new SigningKey(file.KeyId, file.CreatedAt, new ECDsaSecurityKey(ecdsa) { KeyId = file.KeyId });
    }

    private sealed record KeyFile(string KeyId, DateTimeOffset CreatedAt, string PrivateKey);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "Created token signing key {KeyId}")]
        public static partial void KeyCreated(ILogger logger, string keyId);

        [LoggerMessage(EventId = 3602, Level = LogLevel.Information, Message = "Removed retired token signing key {KeyId}: its last token has expired")]
        public static partial void KeyRemoved(ILogger logger, string keyId);
    }
}
