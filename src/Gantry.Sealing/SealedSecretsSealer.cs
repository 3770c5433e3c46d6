using System.Text;
using Gantry.Sealing.Keys;
using Gantry.Sealing.Manifests;

namespace Gantry.Sealing;

/// <summary>
/// Seals values and Secrets for the holder of one certificate's private key, producing what kubeseal produces
/// (pkg/apis/sealedsecrets/v1alpha1/types.go NewSealedSecret). Thread-safe; holds no secret.
/// </summary>
public sealed class SealedSecretsSealer(SealingCertificate certificate)
{
    /// <summary>Annotation kubectl stores the last applied object in: it would leak the plaintext (NewSealedSecret strips it).</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    public SealingCertificate Certificate { get; } = certificate ?? throw new ArgumentNullException(nameof(certificate));

    /// <summary>Seals one value like <c>kubeseal --raw</c>: the base64 text for <c>spec.encryptedData</c>.</summary>
    public string SealValue(ReadOnlySpan<byte> value, SealingScope scope, string? @namespace, string? name)
    {
        var label = SealingScopes.Label(scope, @namespace, name);
        return Convert.ToBase64String(SealedSecretsCrypto.HybridEncrypt(Certificate, value, label));
    }

    /// <summary>
    /// Seals every <c>data</c> and <c>stringData</c> entry of <paramref name="secret"/> (stringData wins on a shared key, as
    /// in Kubernetes). The scope is <paramref name="scope"/> when given, else what the Secret's annotations say.
    /// The Secret's metadata, less the last-applied annotation, becomes <c>spec.template.metadata</c>.
    /// </summary>
    public SealedSecret Seal(KubernetesSecret secret, SealingScope? scope = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var meta = secret.Metadata;
        var effectiveScope = scope ?? SealingScopes.FromAnnotations(meta.Annotations);
        if (string.IsNullOrEmpty(meta.Name))
        {
            throw new SealingException("the Secret has no metadata.name");
        }

        if (effectiveScope != SealingScope.ClusterWide && string.IsNullOrEmpty(meta.Namespace))
        {
            throw new SealingException($"the Secret has no metadata.namespace, which scope {effectiveScope.ToName()} needs");
        }

        var label = SealingScopes.Label(effectiveScope, meta.Namespace, meta.Name);
        var encrypted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in secret.Data)
        {
            encrypted[key] = Convert.ToBase64String(SealedSecretsCrypto.HybridEncrypt(Certificate, value, label));
        }

        foreach (var (key, value) in secret.StringData)
        {
            encrypted[key] = Convert.ToBase64String(SealedSecretsCrypto.HybridEncrypt(Certificate, Encoding.UTF8.GetBytes(value), label));
        }

        var templateAnnotations = SealingScopes.WithScope(meta.Annotations, effectiveScope)
            .Where(a => a.Key != LastAppliedAnnotation)
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return new SealedSecret
        {
            Metadata = new ObjectMeta
            {
                Name = meta.Name,
                Namespace = meta.Namespace,
                Annotations = SealingScopes.WithScope(ObjectMeta.Empty, effectiveScope),
            },
            EncryptedData = encrypted,
            Template = new SecretTemplate
            {
                Metadata = meta with { Annotations = templateAnnotations },
                Type = secret.Type,
                Immutable = secret.Immutable,
            },
        };
    }
}
