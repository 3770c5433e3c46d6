using System.Text;
using Gantry.Sealing.Manifests;
using Gantry.Testing;

namespace Gantry.Sealing.Tests;

public sealed class ManifestTests
{
    private static readonly ManifestSchema SealedSecretSchema =
        ManifestSchema.FromCrd(InteropFiles.PathTo("crds", "bitnami.com_sealedsecrets.yaml"), "v1alpha1");

    private static readonly ManifestSchema SecretSchema =
        ManifestSchema.FromJsonSchemaFile(InteropFiles.PathTo("k8s-schemas", "v1.32.2-standalone-strict", "secret-v1.json"));

    private const string SecretYaml = """
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          namespace: team-a
          annotations:
            note: "true"
        type: Opaque
        immutable: true
        data:
          password: YWRtaW4=
        stringData:
          multi: |
            line one
            line two
          port: "5432"
        """;

    [Theory]
    [InlineData(SealingScope.Strict)]
    [InlineData(SealingScope.NamespaceWide)]
    [InlineData(SealingScope.ClusterWide)]
    public void Rendered_sealed_secret_validates_against_the_upstream_crd(SealingScope scope)
    {
        var sealedSecret = SealingTestKeys.Sealer().Seal(ManifestSerializer.ReadSecret(SecretYaml), scope);

        Assert.Empty(SealedSecretSchema.Validate(ManifestSerializer.ToJsonObject(sealedSecret)));
        Assert.Empty(SealedSecretSchema.Validate(ManifestSerializer.Write(sealedSecret, ManifestFormat.Yaml)));
        Assert.Empty(SealedSecretSchema.Validate(ManifestSerializer.Write(sealedSecret, ManifestFormat.Json)));
    }

    [Theory]
    [InlineData("amilstead-gitops-helm-workshop")]
    [InlineData("madpearl-helm-operator-get-started")]
    [InlineData("wingkwong-sealed-secrets-example")]
    public void Kubeseal_output_validates_against_the_crd(string vector)
    {
        Assert.Empty(SealedSecretSchema.Validate(InteropFiles.ReadText("sealed-secrets", vector, "sealed-secret.yaml")));
    }

    [Fact]
    public void Schema_check_rejects_an_unknown_field()
    {
        var rendered = ManifestSerializer.ToJsonObject(SealingTestKeys.Sealer().Seal(ManifestSerializer.ReadSecret(SecretYaml)));
        rendered["spec"]!["encryptedDta"] = "typo";

        Assert.NotEmpty(SealedSecretSchema.Validate(rendered));
    }

    [Fact]
    public void Secret_yaml_and_json_read_the_same()
    {
        var fromYaml = ManifestSerializer.ReadSecret(SecretYaml);
        var fromJson = ManifestSerializer.ReadSecret(ManifestSerializer.Write(fromYaml, ManifestFormat.Json));

        Assert.Equal("admin", Encoding.UTF8.GetString(fromJson.Data["password"]));
        Assert.Equal("5432", fromJson.StringData["port"]);
        Assert.Equal("line one\nline two\n", fromJson.StringData["multi"]);
        Assert.Equal("true", fromJson.Metadata.Annotations["note"]);
        Assert.True(fromJson.Immutable);
    }

    [Fact]
    public void Written_yaml_keeps_string_values_that_look_like_other_types()
    {
        var secret = new KubernetesSecret
        {
            Metadata = new ObjectMeta { Name = "x", Namespace = "y", Annotations = new Dictionary<string, string> { ["a"] = "true", ["b"] = "0123", ["c"] = "", ["d"] = "null", ["e"] = "yes" } },
            StringData = new Dictionary<string, string>
            {
                ["k"] = "key: value # not a comment",
                ["q"] = "'\"",
                ["n"] = "two\nlines\n",
                ["s"] = " padded ",
                ["u"] = "grüße ✓",
                ["t"] = "\ttab*&!|>",
            },
        };

        var back = ManifestSerializer.ReadSecret(ManifestSerializer.Write(secret, ManifestFormat.Yaml));

        Assert.Equal(secret.Metadata.Annotations.OrderBy(a => a.Key), back.Metadata.Annotations.OrderBy(a => a.Key));
        Assert.Equal(secret.StringData.OrderBy(a => a.Key), back.StringData.OrderBy(a => a.Key));
        Assert.Empty(SecretSchema.Validate(ManifestSerializer.ToJsonObject(back)));
    }

    [Theory]
    [InlineData("a: &x [1]\nb: *x", "aliases")]
    [InlineData("kind: Secret\n---\nkind: Secret", "holds 2 YAML documents")]
    [InlineData("kind: Secret\nkind: Secret", "twice")]
    [InlineData("- a\n- b", "not an object")]
    [InlineData("key: [unclosed", "not valid YAML")]
    [InlineData("{\"kind\": ", "not valid JSON")]
    [InlineData("", "empty")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}", "expected Secret")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: {k: '%%%'}", "data.k is not valid base64")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: {'bad/key': 'YQ=='}", "invalid key")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: [1]}", "metadata.name is not a string")]
    public void Bad_manifest_is_refused_with_a_clear_message(string text, string expected)
    {
        var error = Assert.Throws<SealingException>(() => ManifestSerializer.ReadSecret(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_manifest_is_refused()
    {
        var text = "kind: Secret\nstringData:\n  k: " + new string('a', ManifestText.MaxLength);

        var error = Assert.Throws<SealingException>(() => ManifestSerializer.ReadSecret(text));
        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_manifest_is_refused()
    {
        var text = new string('[', 10_000) + new string(']', 10_000);

        Assert.Throws<SealingException>(() => ManifestText.Parse("a: " + text));
        Assert.Throws<SealingException>(() => ManifestText.Parse("{\"a\": " + text + "}"));
    }

    [Fact]
    public void Deprecated_whole_secret_format_is_refused()
    {
        const string Text = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: x}\nspec: {data: AAAA}";

        var error = Assert.Throws<SealingException>(() => ManifestSerializer.ReadSealedSecret(Text));
        Assert.Contains("spec.data", error.Message, StringComparison.Ordinal);
    }
}
