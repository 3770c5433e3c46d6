using System.Text;
using Gantry.Sealing;
using Gantry.Sealing.Manifests;
using Gantry.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Cli.Tests;

public sealed class SealCommandTests : IDisposable
{
    private const string SecretYaml = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          namespace: team-a
        type: Opaque
        data:
          password: c2VjcmV0
        stringData:
          user: admin
        """;

    private readonly TempFolder _files = new();
    private readonly string _cert;
    private readonly string _key;

    public SealCommandTests()
    {
        _cert = _files.Write("cert.pem", SealingTestKeys.Pair.Certificate.Pem);
        _key = _files.Write("tls.key", SealingTestKeys.Pair.PrivateKey.ExportPkcs1Pem());
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Seal_writes_a_sealed_secret_yaml_that_recovery_unseal_reverses()
    {
        var sealedRun = await CliRunner.RunAsync(SecretYaml, "seal", "--cert", _cert);
        var unsealRun = await CliRunner.RunAsync(sealedRun.Stdout, "seal", "--recovery-unseal", "--private-key", _key);

        Assert.Equal((0, ""), (sealedRun.ExitCode, sealedRun.Stderr));
        Assert.Equal((0, ""), (unsealRun.ExitCode, unsealRun.Stderr));
        var schema = ManifestSchema.FromCrd(InteropFiles.PathTo("crds", "bitnami.com_sealedsecrets.yaml"), "v1alpha1");
        Assert.Empty(schema.Validate(sealedRun.Stdout));
        var secret = ManifestSerializer.ReadSecret(unsealRun.Stdout);
        Assert.Equal("secret", Encoding.UTF8.GetString(secret.Data["password"]));
        Assert.Equal("admin", Encoding.UTF8.GetString(secret.Data["user"]));
        Assert.Equal(("db", "team-a", "Opaque"), (secret.Metadata.Name, secret.Metadata.Namespace, secret.Type));
    }

    [Fact]
    public async Task Recovery_unseal_reverses_several_sealed_secrets_in_one_stream_or_list()
    {
        var first = await CliRunner.RunAsync(SecretYaml, "seal", "--cert", _cert);
        var second = await CliRunner.RunAsync(SecretYaml.Replace("name: db", "name: cache", StringComparison.Ordinal), "seal", "--cert", _cert);
        var stream = first.Stdout + "---\n" + second.Stdout;

        var yaml = await CliRunner.RunAsync(stream, "seal", "--recovery-unseal", "--private-key", _key);
        Assert.Equal((0, ""), (yaml.ExitCode, yaml.Stderr));
        var documents = yaml.Stdout.Split("---\n");
        Assert.Equal(["db", "cache"], documents.Select(d => ManifestSerializer.ReadSecret(d).Metadata.Name));
        Assert.All(documents, d => Assert.Equal("secret", Encoding.UTF8.GetString(ManifestSerializer.ReadSecret(d).Data["password"])));

        var json = await CliRunner.RunAsync(stream, "seal", "--recovery-unseal", "--private-key", _key, "-o", "json");
        var list = System.Text.Json.Nodes.JsonNode.Parse(json.Stdout)!;
        Assert.Equal("List", (string?)list["kind"]);
        var again = await CliRunner.RunAsync(json.Stdout, "seal", "--recovery-unseal", "--private-key", _key);
        Assert.Equal(1, again.ExitCode); // a List of Secrets is not sealed: the error names the document
        Assert.Contains("document 1 of 2", again.Stderr, StringComparison.Ordinal);

        var broken = await CliRunner.RunAsync(first.Stdout + "---\n" + SecretYaml, "seal", "--recovery-unseal", "--private-key", _key);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("document 2 of 2", broken.Stderr, StringComparison.Ordinal);

        var two = await CliRunner.RunAsync(SecretYaml + "\n---\n" + SecretYaml, "seal", "--cert", _cert);
        Assert.Equal(1, two.ExitCode);
        Assert.Contains("the input holds 2 YAML documents ('---'); give one manifest", two.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seal_reads_json_and_writes_json_on_request()
    {
        var json = ManifestSerializer.Write(ManifestSerializer.ReadSecret(SecretYaml), ManifestFormat.Json);

        var run = await CliRunner.RunAsync(json, "seal", "--cert", _cert, "-o", "json", "--scope", "namespace-wide");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("{", run.Stdout, StringComparison.Ordinal);
        var sealedSecret = ManifestSerializer.ReadSealedSecret(run.Stdout);
        Assert.Equal(SealingScope.NamespaceWide, sealedSecret.Scope);
        Assert.Equal(["password", "user"], sealedSecret.EncryptedData.Keys);
    }

    [Theory]
    [InlineData("strict", "team-a", "db")]
    [InlineData("namespace-wide", "team-a", null)]
    [InlineData("cluster-wide", null, null)]
    public async Task Raw_prints_only_the_sealed_value(string scope, string? ns, string? name)
    {
        var args = new List<string> { "seal", "--raw", "--cert", _cert, "--scope", scope };
        if (ns is not null)
        {
            args.AddRange(["--namespace", ns]);
        }

        if (name is not null)
        {
            args.AddRange(["--name", name]);
        }

        var run = await CliRunner.RunAsync("p@ss", [.. args]);

        Assert.Equal((0, ""), (run.ExitCode, run.Stderr));
        Assert.DoesNotContain("\n", run.Stdout, StringComparison.Ordinal);
        var value = SealingTestKeys.Unsealer().UnsealValue(run.Stdout, SealingScopes.Parse(scope), ns, name);
        Assert.Equal("p@ss", Encoding.UTF8.GetString(value));
    }

    [Fact]
    public async Task Raw_reads_the_value_from_a_file()
    {
        var file = _files.Write("value.txt", "from file");

        var run = await CliRunner.RunAsync("", "seal", "--raw", "--cert", _cert, "--namespace", "n", "--name", "s", "--from-file", file);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("from file", Encoding.UTF8.GetString(SealingTestKeys.Unsealer().UnsealValue(run.Stdout, SealingScope.Strict, "n", "s")));
    }

    [Fact]
    public async Task Namespace_option_fills_a_secret_without_one_and_must_agree_otherwise()
    {
        const string NoNamespace = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {k: v}";

        var filled = await CliRunner.RunAsync(NoNamespace, "seal", "--cert", _cert, "-n", "team-b");
        var conflicting = await CliRunner.RunAsync(SecretYaml, "seal", "--cert", _cert, "--namespace", "team-b");

        Assert.Equal(0, filled.ExitCode);
        Assert.Equal("team-b", ManifestSerializer.ReadSealedSecret(filled.Stdout).Metadata.Namespace);
        AssertFailed(conflicting, 1, "differs");
    }

    [Fact]
    public async Task Certificate_is_fetched_from_a_controller_url()
    {
        await using var server = new LoopbackCertificateServer(SealingTestKeys.Pair.Certificate.Pem);

        var run = await CliRunner.RunAsync(SecretYaml, "seal", "--cert", server.CertificateUrl.ToString());

        Assert.Equal((0, ""), (run.ExitCode, run.Stderr));
        Assert.Equal(2, SealingTestKeys.Unsealer().Unseal(ManifestSerializer.ReadSealedSecret(run.Stdout)).Data.Count);
    }

    [Fact]
    public async Task Certificate_url_that_answers_404_is_a_clear_error()
    {
        await using var server = new LoopbackCertificateServer(SealingTestKeys.Pair.Certificate.Pem);

        var run = await CliRunner.RunAsync(SecretYaml, "seal", "--cert", new Uri(server.BaseUrl, "/missing.pem").ToString());

        AssertFailed(run, 1, "answered 404");
    }

    [Fact]
    public async Task Expired_certificate_is_refused()
    {
        var later = new FakeTimeProvider(SealingTestKeys.Now.AddYears(11));

        var run = await CliRunner.RunAsync(Encoding.UTF8.GetBytes(SecretYaml), later, "seal", "--cert", _cert);

        AssertFailed(run, 1, "expired");
    }

    [Theory]
    [InlineData("this: is: not yaml", "not valid YAML")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {namespace: a}\nstringData: {k: v}", "metadata.name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}", "expected Secret")]
    [InlineData("", "standard input is empty")]
    public async Task Bad_input_is_one_error_line_and_no_output(string stdin, string expected)
    {
        var run = await CliRunner.RunAsync(stdin, "seal", "--cert", _cert);

        AssertFailed(run, 1, expected);
    }

    [Theory]
    [InlineData("no certificate", "seal")]
    [InlineData("needs --name", "seal", "--raw", "--cert", "CERT", "--namespace", "n")]
    [InlineData("needs --private-key", "seal", "--recovery-unseal")]
    [InlineData("only used with --recovery-unseal", "seal", "--cert", "CERT", "--private-key", "k")]
    [InlineData("Argument 'bogus' not recognized", "seal", "--cert", "CERT", "--scope", "bogus")]
    [InlineData("Unrecognized command or argument", "seal", "--frobnicate")]
    public async Task Usage_errors_exit_with_2(string expected, params string[] args)
    {
        var run = await CliRunner.RunAsync(SecretYaml, [.. args.Select(a => a == "CERT" ? _cert : a)]);

        AssertFailed(run, 2, expected);
    }

    [Fact]
    public async Task Hostile_input_size_is_refused()
    {
        var huge = new byte[CliInput.MaxBytes + 1];

        var run = await CliRunner.RunAsync(huge, SealingTestKeys.Clock(), "seal", "--cert", _cert);

        AssertFailed(run, 1, "larger than 4 MiB");
    }

    [Fact]
    public async Task Missing_certificate_file_is_a_clear_error()
    {
        var run = await CliRunner.RunAsync(SecretYaml, "seal", "--cert", Path.Combine(_files.Path, "absent.pem"));

        AssertFailed(run, 1, "cannot read");
    }

    [Fact]
    public async Task Recovery_unseal_with_the_wrong_key_fails_without_output()
    {
        var sealedRun = await CliRunner.RunAsync(SecretYaml, "seal", "--cert", _cert);
        var otherKey = _files.Write("other.key", InteropFiles.ReadText("sealed-secrets", "wingkwong-sealed-secrets-example", "tls.key"));

        var run = await CliRunner.RunAsync(sealedRun.Stdout, "seal", "--recovery-unseal", "--private-key", otherKey);

        AssertFailed(run, 1, "does not decrypt");
    }

    [Fact]
    public async Task Help_lists_the_seal_options()
    {
        var run = await CliRunner.RunAsync("", "seal", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--recovery-unseal", run.Stdout, StringComparison.Ordinal);
    }

    internal static void AssertFailed(CliResult run, int exitCode, string expected)
    {
        Assert.Equal(exitCode, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("gantry: error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
    }
}
