using System.Text;
using Gantry.Sealing.Manifests;
using Gantry.Testing;

namespace Gantry.Sealing.Tests;

public sealed class SealingRoundTripTests
{
    private static KubernetesSecret Secret(IReadOnlyDictionary<string, string>? annotations = null) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = "db",
            Namespace = "team-a",
            Labels = new Dictionary<string, string> { ["app"] = "db" },
            Annotations = annotations ?? ObjectMeta.Empty,
        },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { ["password"] = [0, 1, 2, 255], ["shared"] = "from-data"u8.ToArray() },
        StringData = new Dictionary<string, string> { ["user"] = "admin", ["shared"] = "from-stringData" },
    };

    [Theory]
    [InlineData(SealingScope.Strict)]
    [InlineData(SealingScope.NamespaceWide)]
    [InlineData(SealingScope.ClusterWide)]
    public void Secret_round_trips_in_every_scope(SealingScope scope)
    {
        var sealedSecret = SealingTestKeys.Sealer().Seal(Secret(), scope);

        var secret = SealingTestKeys.Unsealer().Unseal(sealedSecret);

        Assert.Equal(scope, sealedSecret.Scope);
        Assert.Equal([0, 1, 2, 255], secret.Data["password"]);
        Assert.Equal("admin", Encoding.UTF8.GetString(secret.Data["user"]));
        Assert.Equal("from-stringData", Encoding.UTF8.GetString(secret.Data["shared"]));
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal("db", secret.Metadata.Labels["app"]);
    }

    [Theory]
    [InlineData(SealingScope.Strict, "team-a", "other", false)]
    [InlineData(SealingScope.Strict, "team-b", "db", false)]
    [InlineData(SealingScope.NamespaceWide, "team-a", "other", true)]
    [InlineData(SealingScope.NamespaceWide, "team-b", "db", false)]
    [InlineData(SealingScope.ClusterWide, "team-b", "other", true)]
    public void Value_opens_only_where_its_scope_allows(SealingScope scope, string ns, string name, bool opens)
    {
        var sealedValue = SealingTestKeys.Sealer().SealValue("v"u8, scope, "team-a", "db");

        var attempt = () => SealingTestKeys.Unsealer().UnsealValue(sealedValue, scope, ns, name);

        if (opens)
        {
            Assert.Equal("v"u8.ToArray(), attempt());
        }
        else
        {
            Assert.Throws<SealingException>(attempt);
        }
    }

    [Fact]
    public void Value_sealed_for_one_namespace_does_not_open_under_another()
    {
        var sealedValue = SealingTestKeys.Sealer().SealValue("v"u8, SealingScope.NamespaceWide, "team-a", null);

        Assert.Throws<SealingException>(() => SealingTestKeys.Unsealer().UnsealValue(sealedValue, SealingScope.NamespaceWide, "team-b", null));
    }

    [Fact]
    public void Value_sealed_strict_does_not_open_cluster_wide()
    {
        var sealedValue = SealingTestKeys.Sealer().SealValue("v"u8, SealingScope.Strict, "team-a", "db");

        Assert.Throws<SealingException>(() => SealingTestKeys.Unsealer().UnsealValue(sealedValue, SealingScope.ClusterWide, null, null));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(520)]
    [InlineData(-1)]
    public void Tampered_ciphertext_fails_with_a_domain_error(int position)
    {
        var bytes = Convert.FromBase64String(SealingTestKeys.Sealer().SealValue("hello"u8, SealingScope.Strict, "team-a", "db"));
        var index = position < 0 ? bytes.Length + position : position;
        bytes[index] ^= 0x01;

        var error = Assert.Throws<SealingException>(() =>
            SealingTestKeys.Unsealer().UnsealValue(Convert.ToBase64String(bytes), SealingScope.Strict, "team-a", "db"));
        Assert.DoesNotContain("hello", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("AA==")]
    [InlineData("AgAAAA==")]
    [InlineData("not base64!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Truncated_or_garbage_value_fails_with_a_domain_error(string value)
    {
        var error = Assert.Throws<SealingException>(() => SealingTestKeys.Unsealer().UnsealValue(value, SealingScope.ClusterWide, null, null));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Sealing_the_same_value_twice_gives_different_ciphertexts()
    {
        var sealer = SealingTestKeys.Sealer();

        Assert.NotEqual(sealer.SealValue("v"u8, SealingScope.ClusterWide, null, null), sealer.SealValue("v"u8, SealingScope.ClusterWide, null, null));
    }

    [Fact]
    public void Sealer_and_unsealer_are_safe_to_share_between_threads()
    {
        var sealer = SealingTestKeys.Sealer();
        var unsealer = SealingTestKeys.Unsealer();

        Parallel.For(0, 16, i =>
        {
            var value = Encoding.UTF8.GetBytes($"value-{i}");
            var sealedValue = sealer.SealValue(value, SealingScope.Strict, "ns", $"name-{i}");
            Assert.Equal(value, unsealer.UnsealValue(sealedValue, SealingScope.Strict, "ns", $"name-{i}"));
        });
    }

    [Theory]
    [InlineData("a/b", "c")]
    [InlineData("a", "b/c")]
    [InlineData("Team", "db")]
    [InlineData("team", "-db")]
    [InlineData("te.am", "db")]
    public void Names_that_are_not_kubernetes_names_are_refused(string ns, string name)
    {
        var error = Assert.Throws<SealingException>(() => SealingTestKeys.Sealer().SealValue("v"u8, SealingScope.Strict, ns, name));
        Assert.Contains("not a valid Kubernetes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_value_round_trips()
    {
        var sealedValue = SealingTestKeys.Sealer().SealValue([], SealingScope.Strict, "a", "b");

        Assert.Empty(SealingTestKeys.Unsealer().UnsealValue(sealedValue, SealingScope.Strict, "a", "b"));
    }

    [Fact]
    public void Scope_annotations_go_on_the_sealed_secret_and_its_template()
    {
        var sealedSecret = SealingTestKeys.Sealer().Seal(Secret(), SealingScope.NamespaceWide);

        Assert.Equal("true", sealedSecret.Metadata.Annotations[SealingScopes.NamespaceWideAnnotation]);
        Assert.Equal("true", sealedSecret.Template.Metadata!.Annotations[SealingScopes.NamespaceWideAnnotation]);
        Assert.False(sealedSecret.Metadata.Annotations.ContainsKey(SealingScopes.ClusterWideAnnotation));
    }

    [Fact]
    public void Scope_is_read_from_the_secret_annotations_when_not_given()
    {
        var secret = Secret(new Dictionary<string, string> { [SealingScopes.ClusterWideAnnotation] = "true" });

        Assert.Equal(SealingScope.ClusterWide, SealingTestKeys.Sealer().Seal(secret).Scope);
    }

    [Fact]
    public void Last_applied_configuration_is_not_copied_into_the_template()
    {
        var secret = Secret(new Dictionary<string, string> { [SealedSecretsSealer.LastAppliedAnnotation] = "{\"data\":{\"password\":\"leak\"}}" });

        var sealedSecret = SealingTestKeys.Sealer().Seal(secret);

        Assert.DoesNotContain("leak", ManifestSerializer.Write(sealedSecret, ManifestFormat.Yaml), StringComparison.Ordinal);
    }

    [Fact]
    public void Secret_without_name_is_refused()
    {
        var secret = Secret() with { Metadata = new ObjectMeta { Namespace = "team-a" } };

        var error = Assert.Throws<SealingException>(() => SealingTestKeys.Sealer().Seal(secret));
        Assert.Contains("metadata.name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Strict_secret_without_namespace_is_refused_but_cluster_wide_is_sealed()
    {
        var secret = Secret() with { Metadata = new ObjectMeta { Name = "db" } };

        Assert.Throws<SealingException>(() => SealingTestKeys.Sealer().Seal(secret, SealingScope.Strict));
        Assert.Equal(3, SealingTestKeys.Sealer().Seal(secret, SealingScope.ClusterWide).EncryptedData.Count);
    }

    [Fact]
    public void Unseal_with_one_bad_value_returns_nothing()
    {
        var sealedSecret = SealingTestKeys.Sealer().Seal(Secret());
        var broken = sealedSecret with
        {
            EncryptedData = new Dictionary<string, string>(sealedSecret.EncryptedData) { ["user"] = "AgAAAA==" },
        };

        var error = Assert.Throws<SealingException>(() => SealingTestKeys.Unsealer().Unseal(broken));
        Assert.StartsWith("spec.encryptedData.user:", error.Message, StringComparison.Ordinal);
    }
}
