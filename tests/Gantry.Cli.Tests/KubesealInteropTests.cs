using System.Text;
using Gantry.Sealing.Manifests;
using Gantry.Testing;

namespace Gantry.Cli.Tests;

/// <summary>The CLI against the real kubeseal vectors in shared/interop/sealed-secrets.</summary>
public sealed class KubesealInteropTests
{
    public static TheoryData<string, string> Vectors => new()
    {
        { "amilstead-gitops-helm-workshop", "password=admin;user=admin" },
        { "madpearl-helm-operator-get-started", "password=admin;user=admin" },
        { "wingkwong-sealed-secrets-example", "token=sealed-secrets-example" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Recovery_unseal_opens_kubeseal_output(string vector, string expected)
    {
        var run = await CliRunner.RunAsync(
            InteropFiles.ReadText("sealed-secrets", vector, "sealed-secret.yaml"),
            "seal", "--recovery-unseal", "--private-key", InteropFiles.PathTo("sealed-secrets", vector, "sealed-secrets-key.yaml"));

        Assert.Equal((0, ""), (run.ExitCode, run.Stderr));
        Assert.Equal(expected, Describe(ManifestSerializer.ReadSecret(run.Stdout)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Seal_with_the_vector_certificate_opens_with_its_key(string vector, string expected)
    {
        _ = expected;
        const string Secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: app, namespace: prod}\nstringData: {token: t0ken}";

        var sealedRun = await CliRunner.RunAsync(Secret, "seal", "--cert", InteropFiles.PathTo("sealed-secrets", vector, "tls.crt"));
        var unsealRun = await CliRunner.RunAsync(sealedRun.Stdout, "seal", "--recovery-unseal", "--private-key", InteropFiles.PathTo("sealed-secrets", vector, "tls.key"));

        Assert.Equal((0, ""), (sealedRun.ExitCode, sealedRun.Stderr));
        Assert.Equal((0, ""), (unsealRun.ExitCode, unsealRun.Stderr));
        Assert.Equal("token=t0ken", Describe(ManifestSerializer.ReadSecret(unsealRun.Stdout)));
    }

    [Fact]
    public async Task Plaintext_json_of_a_vector_seals_like_kubeseal()
    {
        const string Vector = "amilstead-gitops-helm-workshop";

        var sealedRun = await CliRunner.RunAsync(
            InteropFiles.ReadText("sealed-secrets", Vector, "plaintext-secret.json"), "seal", "--cert", InteropFiles.PathTo("sealed-secrets", Vector, "pub-cert.pem"));
        var unsealRun = await CliRunner.RunAsync(sealedRun.Stdout, "seal", "--recovery-unseal", "--private-key", InteropFiles.PathTo("sealed-secrets", Vector, "tls.key"));

        Assert.Equal("password=admin;user=admin", Describe(ManifestSerializer.ReadSecret(unsealRun.Stdout)));
    }

    private static string Describe(KubernetesSecret secret) =>
        string.Join(';', secret.Data.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={Encoding.UTF8.GetString(d.Value)}"));
}
