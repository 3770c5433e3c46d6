using System.Text;
using Gantry.Sealing.Keys;
using Gantry.Sealing.Manifests;
using Gantry.Testing;

namespace Gantry.Sealing.Tests;

/// <summary>SealedSecrets made by the real kubeseal (shared/interop/sealed-secrets/*/SOURCE.txt) open through the recovery path.</summary>
public sealed class KubesealVectorTests
{
    public static TheoryData<string, string> Vectors => new()
    {
        { "amilstead-gitops-helm-workshop", "password=admin;user=admin" },
        { "madpearl-helm-operator-get-started", "password=admin;user=admin" },
        { "wingkwong-sealed-secrets-example", "token=sealed-secrets-example" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Kubeseal_vector_unseals_to_its_plaintext_with_tls_key(string vector, string expected)
    {
        var keys = SealingPrivateKeys.Load(InteropFiles.ReadText("sealed-secrets", vector, "tls.key"));
        var sealedSecret = ManifestSerializer.ReadSealedSecret(InteropFiles.ReadText("sealed-secrets", vector, "sealed-secret.yaml"));

        var secret = new SealedSecretsUnsealer(keys).Unseal(sealedSecret);

        Assert.Equal(expected, Describe(secret));
        Assert.Equal(sealedSecret.Metadata.Name, secret.Metadata.Name);
        Assert.Equal(sealedSecret.Metadata.Namespace, secret.Metadata.Namespace);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Kubeseal_vector_unseals_with_the_controller_key_secret(string vector, string expected)
    {
        var keys = SealingPrivateKeys.Load(InteropFiles.ReadText("sealed-secrets", vector, "sealed-secrets-key.yaml"));
        var sealedSecret = ManifestSerializer.ReadSealedSecret(InteropFiles.ReadText("sealed-secrets", vector, "sealed-secret.yaml"));

        Assert.Equal(expected, Describe(new SealedSecretsUnsealer(keys).Unseal(sealedSecret)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_value_does_not_open_under_another_name(string vector, string expected)
    {
        _ = expected;
        var keys = SealingPrivateKeys.Load(InteropFiles.ReadText("sealed-secrets", vector, "tls.key"));
        var sealedSecret = ManifestSerializer.ReadSealedSecret(InteropFiles.ReadText("sealed-secrets", vector, "sealed-secret.yaml"));
        var renamed = sealedSecret with { Metadata = sealedSecret.Metadata with { Name = "other" } };

        var error = Assert.Throws<SealingException>(() => new SealedSecretsUnsealer(keys).Unseal(renamed));
        Assert.Contains("does not decrypt", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Value_sealed_with_vector_certificate_opens_with_its_key(string vector, string expected)
    {
        _ = expected;
        var certificate = SealingCertificate.Parse(InteropFiles.ReadText("sealed-secrets", vector, "tls.crt"), SealingTestKeys.Clock());
        var keys = SealingPrivateKeys.Load(InteropFiles.ReadText("sealed-secrets", vector, "tls.key"));

        var sealedValue = new SealedSecretsSealer(certificate).SealValue("s3cr3t"u8, SealingScope.Strict, "prod", "db");

        Assert.Equal(4096, certificate.KeySizeBits);
        Assert.Equal(keys[0].PublicKeyFingerprint, certificate.PublicKeyFingerprint);
        Assert.StartsWith("Ag", sealedValue, StringComparison.Ordinal); // u16be 512 = 0x02 0x00, as in kubeseal's values
        Assert.Equal("s3cr3t"u8.ToArray(), new SealedSecretsUnsealer(keys).UnsealValue(sealedValue, SealingScope.Strict, "prod", "db"));
    }

    [Fact]
    public void Plaintext_secret_of_vector_seals_to_an_equivalent_sealed_secret()
    {
        const string Vector = "amilstead-gitops-helm-workshop";
        var certificate = SealingCertificate.Parse(InteropFiles.ReadText("sealed-secrets", Vector, "pub-cert.pem"), SealingTestKeys.Clock());
        var secret = ManifestSerializer.ReadSecret(InteropFiles.ReadText("sealed-secrets", Vector, "plaintext-secret.json"));
        var keys = SealingPrivateKeys.Load(InteropFiles.ReadText("sealed-secrets", Vector, "tls.key"));

        var sealedSecret = new SealedSecretsSealer(certificate).Seal(secret);
        var kubesealOutput = ManifestSerializer.ReadSealedSecret(InteropFiles.ReadText("sealed-secrets", Vector, "sealed-secret.yaml"));

        Assert.Equal(kubesealOutput.EncryptedData.Keys, sealedSecret.EncryptedData.Keys);
        Assert.Equal(kubesealOutput.Template.Metadata?.Name, sealedSecret.Template.Metadata?.Name);
        Assert.Equal(kubesealOutput.Template.Metadata?.Namespace, sealedSecret.Template.Metadata?.Namespace);
        Assert.Empty(sealedSecret.Metadata.Annotations);
        Assert.Equal("password=admin;user=admin", Describe(new SealedSecretsUnsealer(keys).Unseal(sealedSecret)));
    }

    internal static string Describe(KubernetesSecret secret) =>
        string.Join(';', secret.Data.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={Encoding.UTF8.GetString(d.Value)}"));
}
