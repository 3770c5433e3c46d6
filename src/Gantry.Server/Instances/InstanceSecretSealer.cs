using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Gantry.Core.Caching;
using Gantry.Core.Catalog;
using Gantry.Core.Diagnostics;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;
using Gantry.Sealing.Keys;
using Gantry.Sealing;
using Gantry.Server.Sealing;
using Gantry.Server.Telemetry;

namespace Gantry.Server.Instances;

/// <summary>An instance's secrets after a change: every sealed value, and the values Gantry generated (shown once).</summary>
public sealed record SealedInstanceSecrets(IReadOnlyDictionary<string, string> Sealed, IReadOnlyDictionary<string, string> Generated);

/// <summary>
/// Turns an instance change's secrets into sealed values: the tenant's supplied values and freshly generated ones
/// are sealed with the tenant's active certificate (strict scope, for the instance's Secret), and every other secret
/// keeps the sealed value it had. Plaintext lives only in this call and the create (or rotate) response.
/// </summary>
public sealed class InstanceSecretSealer(SealingKeyCustody custody, TimeProvider time, SealingMetrics metrics)
{
    /// <summary>Random bytes in a generated secret: 256 bits, 43 URL-safe characters.</summary>
    public const int GeneratedBytes = 32;

    private readonly BoundedCache<string, SealingCertificate> _parsed = new(10_000, StringComparer.Ordinal);

    /// <summary>
    /// The sealed secrets of <paramref name="previous"/> that stay valid for instance <paramref name="name"/> of
    /// <paramref name="offering"/>: still declared, and sealed for the same Secret (strict scope binds a value to its
    /// namespace and name, so an instance that moves to another namespace cannot keep it).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Kept(InstanceClaim? previous, string tenant, string name, Offering? offering)
    {
        if (previous is null || offering is null || previous.Offering != offering.Name
            || InstanceSecrets.Namespace(previous, offering) != InstanceSecrets.Namespace(tenant, offering.NamespaceFor(tenant, name), offering))
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return previous.SealedSecrets.Where(s => offering.Secrets.Any(d => d.Name == s.Key))
            .ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Seals <paramref name="supplied"/> (already validated), generates every generated secret that has no value yet
    /// or is named in <paramref name="regenerate"/>, and keeps the rest of <paramref name="kept"/>.
    /// </summary>
    public async Task<SealedInstanceSecrets> SealAsync(
        InstanceClaim claim, Offering offering, IReadOnlyDictionary<string, string> kept, IReadOnlyDictionary<string, string?>? supplied,
        IReadOnlySet<string>? regenerate, CancellationToken cancellationToken)
    {
        using var activity = GantryTracing.Source.StartActivity("gantry.seal");
        var started = time.GetTimestamp();
        var plain = new Dictionary<string, string>(StringComparer.Ordinal);
        var generated = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var secret in offering.Secrets)
        {
            if (secret.Generate && (!kept.ContainsKey(secret.Name) || regenerate?.Contains(secret.Name) == true))
            {
                generated[secret.Name] = plain[secret.Name] = Generate();
            }
            else if (!secret.Generate && supplied?.GetValueOrDefault(secret.Name) is { Length: > 0 } value)
            {
                plain[secret.Name] = value;
            }
        }

        var result = new SortedDictionary<string, string>(kept.ToDictionary(), StringComparer.Ordinal);
        if (plain.Count > 0)
        {
            var sealer = new SealedSecretsSealer(await CertificateAsync(claim.Tenant, cancellationToken));
            var (ns, name) = (InstanceSecrets.Namespace(claim, offering), InstanceSecrets.SecretName(claim.Name));
            foreach (var (secretName, value) in plain)
            {
                result[secretName] = sealer.SealValue(Encoding.UTF8.GetBytes(value), SealingScope.Strict, ns, name);
            }

            metrics.Sealed(generated.Count, plain.Count - generated.Count, time.GetElapsedTime(started));
        }

        return new SealedInstanceSecrets(result, generated);
    }

    /// <summary>A new random secret: URL-safe base64 without padding, fit for a header, a URL or an env variable.</summary>
    public static string Generate() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(GeneratedBytes));

    private async Task<SealingCertificate> CertificateAsync(string tenant, CancellationToken cancellationToken)
    {
        var key = await custody.GetOrCreateActiveAsync(tenant, cancellationToken) ?? throw new SealingKeyMissingException(tenant);

        // Parsing checks the RSA modulus with Miller-Rabin rounds (BouncyCastle), which was nearly all of a create's
        // CPU; the parsed certificate is kept by its PEM, and its validity period is still checked on every use.
        if (_parsed.TryGetValue(key.CertificatePem, out var kept) && time.GetUtcNow() <= kept.NotAfter)
        {
            return kept;
        }

        try
        {
            var parsed = SealingCertificate.Parse(key.CertificatePem, time);
            return _parsed.Set(key.CertificatePem, parsed);
        }
        catch (SealingException e)
        {
            throw new SealingKeyMissingException(tenant, e.Message);
        }
    }
}
