using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gantry.Sealing.Keys;
using Gantry.Sealing.Manifests;
using Gantry.Testing;

namespace Gantry.Sealing.Tests;

public sealed class KeyMaterialTests
{
    [Fact]
    public void Generated_key_has_a_controller_like_certificate()
    {
        var pair = SealingTestKeys.Pair;
        using var certificate = X509Certificate2.CreateFromPem(pair.Certificate.Pem);

        Assert.Equal(4096, pair.Certificate.KeySizeBits);
        Assert.Equal("CN=gantry-test", certificate.Subject);
        Assert.Equal(SealingTestKeys.Now, pair.Certificate.NotBefore);
        Assert.Equal(SealingTestKeys.Now.AddDays(3650), pair.Certificate.NotAfter);
        var usage = Assert.Single(certificate.Extensions.OfType<X509KeyUsageExtension>());
        Assert.Equal(X509KeyUsageFlags.EncipherOnly, usage.KeyUsages);
        Assert.True(Assert.Single(certificate.Extensions.OfType<X509BasicConstraintsExtension>()).CertificateAuthority);
        Assert.Equal(pair.PrivateKey.PublicKeyFingerprint, pair.Certificate.PublicKeyFingerprint);
    }

    [Fact]
    public void Stored_key_and_certificate_go_back_together_only_when_they_match()
    {
        var pair = SealingTestKeys.Pair;
        var other = SealingKeyPair.Generate(SealingTestKeys.Clock(), new SealingKeyOptions { KeySizeBits = 2048 });

        var rebuilt = SealingKeyPair.FromParts(SealingPrivateKeys.FromPem(pair.PrivateKey.ExportPkcs1Pem())[0], SealingCertificate.ParseUnchecked(pair.Certificate.Pem));

        Assert.Equal(pair.Certificate.Fingerprint, rebuilt.Certificate.Fingerprint);
        Assert.Throws<SealingException>(() => SealingKeyPair.FromParts(other.PrivateKey, pair.Certificate));
    }

    [Fact]
    public void Empty_common_name_gives_an_empty_subject_like_the_controller()
    {
        var pair = SealingKeyPair.Generate(SealingTestKeys.Clock(), new SealingKeyOptions { KeySizeBits = 2048 });

        Assert.Equal("", pair.Certificate.Subject);
    }

    [Fact]
    public void Controller_key_secret_round_trips_through_its_yaml()
    {
        var pair = SealingTestKeys.Pair;
        var secret = pair.ToControllerKeySecret("sealed-secrets-key-team-a");
        var yaml = ManifestSerializer.Write(secret, ManifestFormat.Yaml);

        var keys = SealingPrivateKeys.Load(yaml);
        var sealedValue = new SealedSecretsSealer(pair.Certificate).SealValue("v"u8, SealingScope.Strict, "n", "s");

        Assert.Equal("v"u8.ToArray(), new SealedSecretsUnsealer(keys).UnsealValue(sealedValue, SealingScope.Strict, "n", "s"));
        Assert.Equal("kubernetes.io/tls", secret.Type);
        Assert.Equal("active", secret.Metadata.Labels[SealingKeyPair.ControllerKeyLabel]);
        Assert.Equal("kube-system", secret.Metadata.Namespace);
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", Encoding.ASCII.GetString(secret.Data["tls.key"]), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", Encoding.ASCII.GetString(secret.Data["tls.crt"]), StringComparison.Ordinal);
        var schema = ManifestSchema.FromJsonSchemaFile(InteropFiles.PathTo("k8s-schemas", "v1.32.2-standalone-strict", "secret-v1.json"));
        Assert.Empty(schema.Validate(yaml));
    }

    [Fact]
    public void Pkcs8_private_key_pem_is_accepted()
    {
        using var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(SealingTestKeys.Pair.PrivateKey.ExportPkcs1(), out _);

        var key = Assert.Single(SealingPrivateKeys.Load(rsa.ExportPkcs8PrivateKeyPem()));

        Assert.Equal(SealingTestKeys.Pair.PrivateKey.PublicKeyFingerprint, key.PublicKeyFingerprint);
    }

    [Fact]
    public void Controller_key_list_yields_every_key()
    {
        var other = SealingKeyPair.Generate(SealingTestKeys.Clock(), new SealingKeyOptions { KeySizeBits = 2048 });
        var list = new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "List",
            ["items"] = new System.Text.Json.Nodes.JsonArray(
                ManifestSerializer.ToJsonObject(SealingTestKeys.Pair.ToControllerKeySecret("k1")),
                ManifestSerializer.ToJsonObject(other.ToControllerKeySecret("k2"))),
        };

        var keys = SealingPrivateKeys.Load(ManifestText.ToYaml(list));
        var sealedValue = new SealedSecretsSealer(other.Certificate).SealValue("v"u8, SealingScope.ClusterWide, null, null);

        Assert.Equal(2, keys.Count);
        Assert.Equal("v"u8.ToArray(), new SealedSecretsUnsealer(keys).UnsealValue(sealedValue, SealingScope.ClusterWide, null, null));
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: k}\ndata: {}")]
    public void Bad_private_key_input_is_refused(string text)
    {
        Assert.Throws<SealingException>(() => SealingPrivateKeys.Load(text));
    }

    [Fact]
    public void Expired_certificate_is_refused()
    {
        var clock = SealingTestKeys.Clock();
        clock.Advance(TimeSpan.FromDays(3651));

        var error = Assert.Throws<SealingException>(() => SealingCertificate.Parse(SealingTestKeys.Pair.Certificate.Pem, clock));
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Vector_certificate_is_refused_after_it_expires()
    {
        var pem = InteropFiles.ReadText("sealed-secrets", "amilstead-gitops-helm-workshop", "pub-cert.pem");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Throws<SealingException>(() => SealingCertificate.Parse(pem, clock));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    public void Bad_certificate_is_refused(string pem)
    {
        Assert.Throws<SealingException>(() => SealingCertificate.Parse(pem, SealingTestKeys.Clock()));
    }
}
