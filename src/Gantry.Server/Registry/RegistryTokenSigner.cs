using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Registry;

/// <summary>
/// Signs registry bearer tokens the way distribution 2.x verifies them (registry/auth/token/token.go
/// <c>VerifySigningKey</c>): the JWT header's <c>x5c</c> carries the signing certificate and its intermediates, which
/// the registry chains to a CA in its <c>rootcertbundle</c>; RS256 for an RSA key, ES256 for an EC P-256 key. The
/// claims are <c>iss</c>, <c>sub</c>, <c>aud</c> (the service), <c>exp</c>/<c>nbf</c>/<c>iat</c>, <c>jti</c> and
/// <c>access</c> (docs/spec/auth/jwt.md).
/// </summary>
public sealed partial class RegistryTokenSigner(IOptions<RegistryOptions> options, TimeProvider time, ILogger<RegistryTokenSigner> logger) : IDisposable
{
    private readonly Lazy<SigningMaterial> _material = new(() => SigningMaterial.Load(options.Value.TokenServer));

    public TimeSpan Lifetime => options.Value.TokenServer.Lifetime;

    /// <summary>A token for <paramref name="subject"/> holding exactly <paramref name="access"/>.</summary>
    public string Sign(string subject, IReadOnlyList<RegistryScope> access)
    {
        Log.Signed(logger, subject, access);
        var settings = options.Value.TokenServer;
        var material = _material.Value;
        var chain = new JsonArray();
        foreach (var certificate in material.Chain)
        {
            chain.Add(Convert.ToBase64String(certificate.RawData));
        }

        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = material.Algorithm, ["x5c"] = chain };
        var grants = new JsonArray();
        foreach (var scope in access)
        {
            grants.Add(new JsonObject { ["type"] = scope.Type, ["name"] = scope.Name, ["actions"] = new JsonArray([.. scope.Actions.Select(a => JsonValue.Create(a))]) });
        }

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = settings.Issuer,
            ["sub"] = subject,
            ["aud"] = settings.Service,
            ["exp"] = now + (long)settings.Lifetime.TotalSeconds,
            // A little slack for a registry whose clock is behind.
            ["nbf"] = now - 30,
            ["iat"] = now,
            ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["access"] = grants,
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        return signingInput + "." + Base64Url(material.Sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    public void Dispose()
    {
        if (_material.IsValueCreated)
        {
            _material.Value.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4801, Level = LogLevel.Debug, Message = "Registry token for {Subject}: {Access}")]
        public static partial void Signed(ILogger logger, string subject, IReadOnlyList<RegistryScope> access);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class SigningMaterial(X509Certificate2Collection chain, AsymmetricAlgorithm key) : IDisposable
    {
        public X509Certificate2Collection Chain => chain;

        public string Algorithm => key is RSA ? "RS256" : "ES256";

        public static SigningMaterial Load(RegistryTokenServerOptions settings)
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(settings.CertificateFile!);
            if (chain.Count == 0)
            {
                throw new InvalidOperationException($"Registry:TokenServer:CertificateFile {settings.CertificateFile} holds no certificate.");
            }

            var pem = File.ReadAllText(settings.KeyFile!);
            AsymmetricAlgorithm key;
            if (chain[0].GetRSAPublicKey() is { } rsaPublic)
            {
                rsaPublic.Dispose();
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                key = rsa;
            }
            else
            {
                var ec = ECDsa.Create();
                ec.ImportFromPem(pem);
                if (ec.KeySize != 256)
                {
                    ec.Dispose();
                    throw new InvalidOperationException("Registry:TokenServer:KeyFile: an EC signing key must be P-256 (ES256).");
                }

                key = ec;
            }

            return new SigningMaterial(chain, key);
        }

        public byte[] Sign(byte[] data) => key switch
        {
            RSA rsa => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            // JWS ES256 is r||s (IEEE P1363), .NET's default signature format.
            ECDsa ec => ec.SignData(data, HashAlgorithmName.SHA256),
            _ => throw new InvalidOperationException("unsupported signing key"),
        };

        public void Dispose()
        {
            key.Dispose();
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }
        }
    }
}
