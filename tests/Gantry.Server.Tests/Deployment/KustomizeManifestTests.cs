using System.Diagnostics;
using System.Text.Json.Nodes;
using Gantry.Sealing.Manifests;
using Gantry.Testing;

namespace Gantry.Server.Tests.Deployment;

/// <summary>
/// Gantry's own Kubernetes manifests, built with <c>kubectl kustomize</c> as an operator would, every object checked
/// against the Kubernetes 1.32 schemas in shared/interop, and the production overlay against what the issue asks.
/// </summary>
public sealed class KustomizeManifestTests
{
    private static readonly string SchemaFolder = InteropFiles.PathTo("k8s-schemas", "v1.32.2-standalone-strict");

    /// <summary>
    /// Kinds the overlays make that have no schema in shared/interop. Each is named with the reason, so that a new kind
    /// without a schema fails the test instead of passing unchecked.
    /// </summary>
    private static readonly Dictionary<string, string> Unvalidated = new(StringComparer.Ordinal)
    {
        ["v1/ServiceAccount"] = "no serviceaccount schema in shared/interop; two fields, checked below",
        ["v1/PersistentVolumeClaim"] = "no persistentvolumeclaim schema in shared/interop; its claim name is checked against the Deployment below",
    };

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Every_object_of_the_overlay_validates_against_the_kubernetes_schemas(string overlay)
    {
        var objects = Build(overlay);

        Assert.NotEmpty(objects);
        foreach (var manifest in objects)
        {
            var key = $"{manifest["apiVersion"]}/{manifest["kind"]}";
            var schema = SchemaFile(manifest);
            if (File.Exists(schema))
            {
                var errors = ManifestSchema.FromJsonSchemaFile(schema).Validate(manifest);
                Assert.True(errors.Count == 0, $"{overlay}: {key} {manifest["metadata"]!["name"]}: {string.Join("; ", errors)}");
            }
            else
            {
                Assert.True(Unvalidated.ContainsKey(key), $"{overlay}: {key} has no schema in {SchemaFolder} and is not listed as unvalidated with a reason");
            }
        }
    }

    [Fact]
    public void The_prod_overlay_runs_three_replicas_that_survive_a_node_and_migrate_first()
    {
        var objects = Build("prod");
        var deployment = Single(objects, "Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var server = pod["containers"]!.AsArray().Single(c => (string?)c!["name"] == "gantry")!;

        Assert.Equal(3L, (long)deployment["spec"]!["replicas"]!);
        Assert.Equal(2L, (long)Single(objects, "PodDisruptionBudget")["spec"]!["minAvailable"]!);
        var hpa = Single(objects, "HorizontalPodAutoscaler")["spec"]!;
        Assert.Equal(3L, (long)hpa["minReplicas"]!);
        Assert.Equal("cpu", (string?)hpa["metrics"]![0]!["resource"]!["name"]);
        Assert.Contains(pod["topologySpreadConstraints"]!.AsArray(), c => (string?)c!["topologyKey"] == "kubernetes.io/hostname" && (string?)c["whenUnsatisfiable"] == "DoNotSchedule");

        var migrate = pod["initContainers"]!.AsArray().Single()!;
        Assert.Equal(["migrate"], migrate["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal((string?)server["image"], (string?)migrate["image"]);
        Assert.Equal(["serve"], server["args"]!.AsArray().Select(a => (string)a!));

        Assert.Equal("/healthz", (string?)server["startupProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/healthz", (string?)server["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)server["readinessProbe"]!["httpGet"]!["path"]);
        Assert.NotNull(server["resources"]!["requests"]!["cpu"]);
        Assert.NotNull(server["resources"]!["limits"]!["memory"]);

        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
        foreach (var container in new[] { server, migrate })
        {
            var security = container["securityContext"]!;
            Assert.False((bool)security["allowPrivilegeEscalation"]!);
            Assert.True((bool)security["readOnlyRootFilesystem"]!);
            Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
        }

        var ingress = Single(objects, "Ingress");
        Assert.NotNull(ingress["metadata"]!["annotations"]!["cert-manager.io/cluster-issuer"]);
        Assert.NotEmpty(ingress["spec"]!["tls"]!.AsArray());
        Assert.Single(objects, o => (string?)o["kind"] == "NetworkPolicy");
    }

    [Fact]
    public void The_prod_overlay_takes_every_secret_from_a_secret_by_name_and_holds_no_secret_itself()
    {
        var objects = Build("prod");
        var pod = Single(objects, "Deployment")["spec"]!["template"]!["spec"]!;
        var settings = Single(objects, "ConfigMap")["data"]!.AsObject();

        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "Secret");
        var secretVolumes = pod["volumes"]!.AsArray().Where(v => v!["secret"] is not null).Select(v => (string)v!["secret"]!["secretName"]!).ToList();
        Assert.Equivalent(new[] { "gantry-signing-keys", "gantry-git", "gantry-buckets", "gantry-sealing-escrow", "gantry-status" }, secretVolumes);
        Assert.Equal("postgresql", (string?)settings["Database__Provider"]);
        Assert.Equal("true", (string?)settings["Gantry__StrictProduction"]);
        foreach (var file in new[] { "Auth__SigningKeysFolder", "Git__PasswordFile", "Buckets__SecretKeyFile", "Sealing__Escrow__MasterKeyFile", "Status__ClusterKeyFile" })
        {
            Assert.StartsWith("/var/run/secrets/gantry/", (string?)settings[file], StringComparison.Ordinal);
        }

        // Passwords, tokens and keys only ever arrive by reference.
        Assert.DoesNotContain(settings, s => s.Key.EndsWith("Password", StringComparison.Ordinal) || s.Key.EndsWith("ConnectionString", StringComparison.Ordinal)
            || s.Key.EndsWith("SecretKey", StringComparison.Ordinal) || s.Key.EndsWith("MasterKey", StringComparison.Ordinal) || s.Key.EndsWith("ClusterKey", StringComparison.Ordinal));
    }

    [Fact]
    public void The_dev_overlay_runs_one_replica_on_sqlite_with_the_data_folder_on_its_claim()
    {
        var objects = Build("dev");
        var deployment = Single(objects, "Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;

        Assert.Equal(1L, (long)deployment["spec"]!["replicas"]!);
        var data = pod["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "data")!;
        Assert.Null(data["emptyDir"]);
        Assert.Equal((string?)Single(objects, "PersistentVolumeClaim")["metadata"]!["name"], (string?)data["persistentVolumeClaim"]!["claimName"]);
        Assert.Contains(pod["containers"]![0]!["env"]!.AsArray(), e => (string?)e!["name"] == "Database__Provider" && (string?)e["value"] == "sqlite");
        Assert.False((bool)Single(objects, "ServiceAccount")["automountServiceAccountToken"]!);
    }

    // kubeconform's file naming: <kind>-<group prefix>-<version>.json, core objects without a group.
    private static string SchemaFile(JsonNode manifest)
    {
        var apiVersion = (string)manifest["apiVersion"]!;
        var kind = ((string)manifest["kind"]!).ToLowerInvariant();
        var parts = apiVersion.Split('/');
        var name = parts.Length == 1 ? $"{kind}-{parts[0]}" : $"{kind}-{parts[0].Split('.')[0]}-{parts[1]}";
        return Path.Combine(SchemaFolder, name + ".json");
    }

    private static JsonNode Single(List<JsonNode> objects, string kind) => objects.Single(o => (string?)o["kind"] == kind);

    private static List<JsonNode> Build(string overlay)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("kustomize");
        info.ArgumentList.Add(InteropFiles.InRepository("deploy", "kubernetes", "overlays", overlay));
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {overlay} failed: {error.Result}");
        return [.. output.Split("\n---\n").Where(d => !string.IsNullOrWhiteSpace(d)).Select(ManifestText.Parse)];
    }
}
