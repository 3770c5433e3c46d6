using System.Security.Cryptography;
using System.Text;
using Gantry.Server.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Status;

/// <summary>
/// Each cluster's webhook secret, derived from the server's cluster key and a nonce stored with the cluster: the
/// database never holds the secret (only the nonce and a hash), yet any replica can check a Flux HMAC, which needs the
/// secret itself. Rotating draws a new nonce. The same secret signs Gantry's notifications to that cluster.
/// </summary>
public sealed class ClusterSecrets
{
    public const string Prefix = Identity.Secrets.Prefix + "wh_";
    private const int KeyBytes = 32;

    private readonly byte[] _key;

    public ClusterSecrets(IOptions<StatusOptions> options, GantryPaths paths)
    {
        _key = LoadKey(options.Value, paths);
    }

    /// <summary>A fresh nonce for a new cluster or a rotation.</summary>
    public static string NewNonce() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    /// <summary>The webhook secret of cluster <paramref name="name"/> with <paramref name="nonce"/>.</summary>
    public string Derive(string name, string nonce)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"gantry cluster webhook\n{name}\n{nonce}"));
        return Prefix + Base64UrlEncoder.Encode(mac);
    }

    /// <summary>What is stored to check a bearer without deriving.</summary>
    public static string Hash(string secret) => Identity.Secrets.Hash(secret);

    private static byte[] LoadKey(StatusOptions options, GantryPaths paths)
    {
        if (!string.IsNullOrWhiteSpace(options.ClusterKey))
        {
            return Decode(options.ClusterKey, $"{StatusOptions.SectionName}:{nameof(StatusOptions.ClusterKey)}");
        }

        if (!string.IsNullOrWhiteSpace(options.ClusterKeyFile))
        {
            var file = options.ClusterKeyFile;
            return File.Exists(file)
                ? Decode(File.ReadAllText(file), $"{StatusOptions.SectionName}:{nameof(StatusOptions.ClusterKeyFile)} ({file})")
                : throw new GantryStartupException($"{StatusOptions.SectionName}:{nameof(StatusOptions.ClusterKeyFile)} '{file}' does not exist.");
        }

        // The embedded default: one key in the data folder, made on first use, readable by Gantry alone.
        var folder = Path.Combine(paths.DataDir, "keys");
        var path = Path.Combine(folder, "cluster-webhooks.key");
        if (File.Exists(path))
        {
            return Decode(File.ReadAllText(path), path);
        }

        Directory.CreateDirectory(folder);
        var key = RandomNumberGenerator.GetBytes(KeyBytes);
        var temp = path + ".tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, fileOptions))
        {
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
            stream.Flush(flushToDisk: true);
        }

        try
        {
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another server on the same folder made it first: use theirs.
            File.Delete(temp);
            return Decode(File.ReadAllText(path), path);
        }

        return key;
    }

    private static byte[] Decode(string base64, string source)
    {
        try
        {
            var key = Convert.FromBase64String(base64.Trim());
            return key.Length >= KeyBytes ? key
                : throw new GantryStartupException($"the cluster key from {source} has {key.Length} bytes; it needs at least {KeyBytes} random bytes, base64.");
        }
        catch (FormatException)
        {
            throw new GantryStartupException($"the cluster key from {source} is not base64 (expected {KeyBytes} random bytes, base64).");
        }
    }
}
