using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;
using Gantry.Testing;

namespace Gantry.Core.Tests.Rendering;

/// <summary>The shipped offerings and a tenant with one instance of each, as the golden files show them.</summary>
public static class RenderingFixture
{
    public const string Tenant = "client1";

    // Rendering copies sealed values as they are; these stand for what the server seals (a real seal is random, and
    // the server tests open real ones with the tenant's private key).
    public const string SealedApiKey = "AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq";
    public const string SealedRegistrationToken = "AgCtr8dBqkCmNrS3mEJ3bFzYk2/Qh+cW";

    public static Offering Qdrant { get; } = Load("qdrant");

    public static Offering Runner { get; } = Load("runner");

    public static IReadOnlyList<RenderedInstance> Instances { get; } =
    [
        new(new InstanceClaim
        {
            Tenant = Tenant,
            Name = "db1",
            Offering = "qdrant",
            Version = "^1.12.0",
            ChartVersion = "1.13.6",
            Namespace = Qdrant.NamespaceFor(Tenant, "db1"),
            Values = new JsonObject { ["replicaCount"] = 3, ["persistence"] = new JsonObject { ["size"] = "20Gi" } },
            SealedSecrets = new Dictionary<string, string> { ["api-key"] = SealedApiKey },
        }, Qdrant),
        new(new InstanceClaim
        {
            Tenant = Tenant,
            Name = "runner1",
            Offering = "runner",
            Version = ">=2.0.0 <3.0.0",
            ChartVersion = "2.2.0",
            Namespace = Runner.NamespaceFor(Tenant, "runner1"),
            Values = new JsonObject
            {
                ["organization"] = "acme",
                ["uuid"] = "0b9f4c1e-7d2a-4c55-9a0e-2f1d3c4b5a69",
                ["replicas"] = 2,
                ["extraEnv"] = new JsonArray(new JsonObject { ["name"] = "LOG_LEVEL", ["value"] = "debug" }),
            },
            SealedSecrets = new Dictionary<string, string> { ["registration-token"] = SealedRegistrationToken },
        }, Runner),
    ];

    /// <summary>Writes the fixture's tenant tree and the Flux index into <paramref name="folder"/>, as a clone would hold them.</summary>
    public static void WriteTree(TempFolder folder)
    {
        foreach (var (path, bytes) in TenantRenderer.Render(Tenant, Instances).Concat(TenantRenderer.RenderFluxIndex([Tenant])))
        {
            var target = folder.Combine(path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, bytes);
        }
    }

    /// <summary>Runs the real <c>kubectl kustomize</c> on <paramref name="folder"/> and returns the YAML it builds.</summary>
    public static string Kustomize(string folder)
    {
        var info = new System.Diagnostics.ProcessStartInfo("kubectl", ["kustomize", folder])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(info)
            ?? throw new InvalidOperationException("kubectl could not be started: run `make test-deps`.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {folder} failed: {error}");
        return output.Result;
    }

    private static Offering Load(string name)
    {
        var path = InteropFiles.InRepository("examples", "catalog", $"{name}.yaml");
        return OfferingParser.Parse(File.ReadAllText(path), $"examples/catalog/{name}.yaml");
    }
}
