using Gantry.Sealing.Keys;
using Gantry.Sealing.Manifests;

namespace Gantry.Sealing;

/// <summary>
/// Opens sealed values with private keys, as the controller does (tries every key): the recovery path for
/// disaster recovery, escrowed tenant keys and interop tests.
/// </summary>
public sealed class SealedSecretsUnsealer
{
    private readonly SealingPrivateKey[] _keys;

    public SealedSecretsUnsealer(IEnumerable<SealingPrivateKey> privateKeys)
    {
        ArgumentNullException.ThrowIfNull(privateKeys);
        _keys = [.. privateKeys];
        if (_keys.Length == 0)
        {
            throw new SealingException("no private key was given to decrypt with");
        }
    }

    /// <summary>Opens one base64 value sealed under <paramref name="scope"/> for <paramref name="namespace"/>/<paramref name="name"/>.</summary>
    public byte[] UnsealValue(string sealedValue, SealingScope scope, string? @namespace, string? name)
    {
        ArgumentNullException.ThrowIfNull(sealedValue);
        byte[] ciphertext;
        try
        {
            ciphertext = Convert.FromBase64String(sealedValue);
        }
        catch (FormatException ex)
        {
            throw new SealingException("the sealed value is not valid base64", ex);
        }

        return SealedSecretsCrypto.HybridDecrypt(_keys, ciphertext, SealingScopes.Label(scope, @namespace, name));
    }

    /// <summary>
    /// Rebuilds the Secret the controller would create (kubeseal --recovery-unseal): template metadata and type,
    /// every encryptedData entry decrypted under the scope the SealedSecret's own annotations state.
    /// All values decrypt or none is returned.
    /// </summary>
    public KubernetesSecret Unseal(SealedSecret sealedSecret)
    {
        ArgumentNullException.ThrowIfNull(sealedSecret);
        var meta = sealedSecret.Metadata;
        if (string.IsNullOrEmpty(meta.Name))
        {
            throw new SealingException("the SealedSecret has no metadata.name");
        }

        if (sealedSecret.Template.Data is { Count: > 0 })
        {
            throw new SealingException("spec.template.data (templated values) is not supported by recovery unseal");
        }

        var scope = sealedSecret.Scope;
        var data = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in sealedSecret.EncryptedData)
        {
            try
            {
                data[key] = UnsealValue(value, scope, meta.Namespace, meta.Name);
            }
            catch (SealingException ex)
            {
                throw new SealingException($"spec.encryptedData.{key}: {ex.Message}", ex);
            }
        }

        var templateMeta = sealedSecret.Template.Metadata ?? new ObjectMeta();
        return new KubernetesSecret
        {
            Metadata = templateMeta with { Name = meta.Name, Namespace = meta.Namespace },
            Type = sealedSecret.Template.Type,
            Immutable = sealedSecret.Template.Immutable,
            Data = data,
        };
    }
}
