using System.CommandLine;
using System.Text.Json.Nodes;
using Gantry.Sealing;
using Gantry.Sealing.Keys;
using Gantry.Sealing.Manifests;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry seal</c>: kubeseal-compatible sealing of a Secret read on stdin, one raw value (<c>--raw</c>), or the
/// reverse with a private key (<c>--recovery-unseal</c>).
/// </summary>
internal static class SealCommand
{
    public static Command Create(CliConsole console)
    {
        var cert = new Option<string>("--cert") { Description = "Certificate to seal with: a PEM file or an http(s) URL such as a controller's /v1/cert.pem" };
        var scope = new Option<string>("--scope") { Description = "strict (default), namespace-wide or cluster-wide; without it the Secret's scope annotations decide" };
        scope.AcceptOnlyFromAmong([.. SealingScopes.Names]);
        var format = new Option<string>("--format", "-o") { Description = "Output format", DefaultValueFactory = _ => "yaml" };
        format.AcceptOnlyFromAmong("yaml", "json");
        var raw = new Option<bool>("--raw") { Description = "Seal one value (from stdin or --from-file) and print only its base64" };
        var name = new Option<string>("--name") { Description = "Secret name the raw value is sealed for (strict scope)" };
        var ns = new Option<string>("--namespace", "-n") { Description = "Namespace: for --raw, or when the Secret has none" };
        var fromFile = new Option<string>("--from-file") { Description = "With --raw: read the value from this file instead of stdin" };
        var recoveryUnseal = new Option<bool>("--recovery-unseal") { Description = "Decrypt a SealedSecret read on stdin back to a Secret (needs --private-key)" };
        var privateKeys = new Option<string[]>("--private-key") { Description = "With --recovery-unseal: a tls.key PEM or a controller key Secret manifest; repeatable" };

        var command = new Command("seal", "Seal a Kubernetes Secret read on stdin into a SealedSecret (Sealed Secrets format, like kubeseal)")
        {
            cert, scope, format, raw, name, ns, fromFile, recoveryUnseal, privateKeys,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new SealRequest(
                parse.GetValue(cert),
                parse.GetValue(scope) is { } s ? SealingScopes.Parse(s) : null,
                parse.GetValue(format) == "json" ? ManifestFormat.Json : ManifestFormat.Yaml,
                parse.GetValue(raw),
                parse.GetValue(name),
                parse.GetValue(ns),
                parse.GetValue(fromFile),
                parse.GetValue(recoveryUnseal),
                parse.GetValue(privateKeys) ?? []);
            var output = await RunAsync(request, console, cancellationToken);
            await console.Output.WriteAsync(output);
            await console.Output.FlushAsync(cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private sealed record SealRequest(
        string? Cert,
        SealingScope? Scope,
        ManifestFormat Format,
        bool Raw,
        string? Name,
        string? Namespace,
        string? FromFile,
        bool RecoveryUnseal,
        string[] PrivateKeys);

    /// <summary>Computes the whole output before anything is written, so a failure leaves stdout empty.</summary>
    private static async Task<string> RunAsync(SealRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        if (request.RecoveryUnseal)
        {
            return await UnsealAsync(request, console, cancellationToken);
        }

        if (request.PrivateKeys.Length > 0)
        {
            throw CliException.Usage("--private-key is only used with --recovery-unseal");
        }

        if (string.IsNullOrEmpty(request.Cert))
        {
            throw CliException.Usage("no certificate: pass --cert <file or URL> (e.g. https://<controller>/v1/cert.pem)");
        }

        if (request.FromFile is not null && !request.Raw)
        {
            throw CliException.Usage("--from-file is only used with --raw");
        }

        var certificate = await CertificateSource.LoadAsync(request.Cert, console, cancellationToken);
        var sealer = new SealedSecretsSealer(certificate);
        return request.Raw
            ? await SealRawAsync(sealer, request, console, cancellationToken)
            : await SealSecretAsync(sealer, request, console, cancellationToken);
    }

    private static async Task<string> SealSecretAsync(SealedSecretsSealer sealer, SealRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        if (request.Name is not null)
        {
            throw CliException.Usage("--name is only used with --raw; the Secret's metadata.name is used");
        }

        var secret = ManifestSerializer.ReadSecret(await CliInput.ReadTextAsync(console.Input, "standard input", cancellationToken));
        if (string.IsNullOrEmpty(secret.Metadata.Namespace) && !string.IsNullOrEmpty(request.Namespace))
        {
            secret = secret with { Metadata = secret.Metadata with { Namespace = request.Namespace } };
        }
        else if (request.Namespace is not null && request.Namespace != secret.Metadata.Namespace)
        {
            throw new CliException($"--namespace {request.Namespace} differs from the Secret's metadata.namespace {secret.Metadata.Namespace}");
        }

        return ManifestSerializer.Write(sealer.Seal(secret, request.Scope), request.Format);
    }

    private static async Task<string> SealRawAsync(SealedSecretsSealer sealer, SealRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        var scope = request.Scope ?? SealingScope.Strict;
        if (scope != SealingScope.ClusterWide && string.IsNullOrEmpty(request.Namespace))
        {
            throw CliException.Usage($"--raw with scope {scope.ToName()} needs --namespace");
        }

        if (scope == SealingScope.Strict && string.IsNullOrEmpty(request.Name))
        {
            throw CliException.Usage("--raw with scope strict needs --name");
        }

        var value = request.FromFile is { } path
            ? await CliInput.ReadFileAsync(path, cancellationToken)
            : await CliInput.ReadAllAsync(console.Input, "standard input", cancellationToken);

        // Like kubeseal --raw: only the base64 value, no newline.
        return sealer.SealValue(value, scope, request.Namespace, request.Name);
    }

    private static async Task<string> UnsealAsync(SealRequest request, CliConsole console, CancellationToken cancellationToken)
    {
        if (request.PrivateKeys.Length == 0)
        {
            throw CliException.Usage("--recovery-unseal needs --private-key <tls.key or key Secret manifest>");
        }

        if (request.Raw || request.Cert is not null || request.Scope is not null)
        {
            throw CliException.Usage("--recovery-unseal takes no --raw, --cert or --scope: the SealedSecret states its scope");
        }

        var keys = new List<SealingPrivateKey>();
        foreach (var path in request.PrivateKeys)
        {
            try
            {
                keys.AddRange(SealingPrivateKeys.Load(await CliInput.ReadFileTextAsync(path, cancellationToken)));
            }
            catch (SealingException ex)
            {
                throw new CliException($"{path}: {ex.Message}");
            }
        }

        // Several SealedSecrets (a YAML stream, or a List) come back as several Secrets in the same shape.
        var unsealer = new SealedSecretsUnsealer(keys);
        var manifests = ManifestText.ParseAll(await CliInput.ReadTextAsync(console.Input, "standard input", cancellationToken));
        var secrets = manifests.Select((manifest, i) => Unseal(unsealer, manifest, i + 1, manifests.Count)).ToList();
        if (secrets.Count == 1)
        {
            return ManifestSerializer.Write(secrets[0], request.Format);
        }

        return request.Format == ManifestFormat.Json
            ? ManifestText.ToJson(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([.. secrets.Select(ManifestSerializer.ToJsonObject)]) })
            : string.Join("---\n", secrets.Select(s => ManifestSerializer.Write(s, ManifestFormat.Yaml)));
    }

    private static KubernetesSecret Unseal(SealedSecretsUnsealer unsealer, JsonObject manifest, int index, int count)
    {
        try
        {
            return unsealer.Unseal(ManifestSerializer.ReadSealedSecret(manifest));
        }
        catch (SealingException ex) when (count > 1)
        {
            throw new SealingException($"document {index} of {count}: {ex.Message}", ex);
        }
    }
}
