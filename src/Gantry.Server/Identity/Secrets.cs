using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Identity;

/// <summary>
/// High-entropy bearer secrets (API keys, refresh tokens) and their stored form. 256 random bits make a salted,
/// slow hash pointless: SHA-256 cannot be reversed or brute-forced at that entropy.
/// </summary>
public static class Secrets
{
    /// <summary>Every Gantry secret starts with this, so secret scanners can spot a leaked one.</summary>
    public const string Prefix = "gantry_";

    public const string ApiKeyPrefix = Prefix + "ak_";
    public const string RefreshTokenPrefix = Prefix + "rt_";

    public static string Create(string prefix) => prefix + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares two hashes in time independent of where they differ.</summary>
    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
