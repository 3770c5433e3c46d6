using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Yaml;
using static Gantry.Core.Rendering.Manifests;

namespace Gantry.Core.Environments;

/// <summary>
/// Renders what an environment's type brings beside its services, pure. Every environment gets the ConfigMap
/// <c>platform-endpoints</c>: per add-on its endpoint (the platform's shared instance, or the environment's own), and
/// for types that have them the public DNS name and the WAF flag; every service reads it as environment variables.
/// A dedicated add-on is one file per chart of its bundle (a <c>HelmRepository</c> and a <c>HelmRelease</c>) in the
/// environment's namespace, the charts of one add-on chained with <c>dependsOn</c>; the services' releases depend on
/// all of them, so services start after their platform.
/// </summary>
public static class EnvironmentAddOnRenderer
{
    public const string EndpointsConfigMap = "platform-endpoints";

    public const string EndpointsFile = "platform-endpoints.yaml";

    /// <summary>The <c>platform-endpoints</c> key of the public DNS name (types with public DNS).</summary>
    public const string DnsNameKey = "PUBLIC_DNS_NAME";

    /// <summary>The <c>platform-endpoints</c> key of the edge protection flag (types with a WAF).</summary>
    public const string WafKey = "WAF_ENABLED";

    public const string AddOnLabel = "gantry.dev/add-on";

    /// <summary>The files by path in the environment folder, and the names of the dedicated releases services wait for.</summary>
    public sealed record Rendered(IReadOnlyDictionary<string, byte[]> Files, IReadOnlyList<string> Releases);

    /// <summary>The add-on files of <paramref name="claim"/>; <paramref name="labels"/> gives an object's labels (with the add-on's name).</summary>
    public static Rendered Render(EnvironmentClaim claim, EnvironmentPolicies policies, Func<string?, JsonObject> labels)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(labels);
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [EndpointsFile] = Utf8(YamlWriter.Write(Endpoints(claim, policies, labels(null)))),
        };
        var releases = new List<string>();
        foreach (var addOn in policies.AddOns.Where(a => a.ModeFor(claim.EnvironmentType) == AddOnMode.Dedicated))
        {
            string? previous = null;
            foreach (var chart in addOn.Charts)
            {
                var chartLabels = labels(null);
                chartLabels[AddOnLabel] = addOn.Name;
                files[FileOf(chart)] = Utf8(YamlWriter.WriteAll([Repository(claim, chart, chartLabels), Release(claim, chart, previous, chartLabels.DeepClone().AsObject())]));
                releases.Add(chart.Name);
                previous = chart.Name;
            }
        }

        return new Rendered(files, releases);
    }

    /// <summary>What a service's container gets so that the endpoints are its environment variables.</summary>
    public static JsonArray EnvFrom() => new(new JsonObject { ["configMapRef"] = new JsonObject { ["name"] = EndpointsConfigMap } });

    public static string FileOf(AddOnChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return $"addons/{chart.Name}.yaml";
    }

    private static JsonObject Endpoints(EnvironmentClaim claim, EnvironmentPolicies policies, JsonObject labels)
    {
        var data = new JsonObject();
        foreach (var addOn in policies.AddOns)
        {
            data[addOn.Variable] = addOn.EndpointFor(claim.EnvironmentType, claim.EnvironmentName);
        }

        if (policies.DnsNameOf(claim) is { } dnsName)
        {
            data[DnsNameKey] = dnsName;
        }

        if (policies.Type(claim.EnvironmentType)?.EdgeProtection == true)
        {
            data[WafKey] = "true";
        }

        var configMap = Object("v1", "ConfigMap", EndpointsConfigMap, claim.EnvironmentName, labels);
        configMap["data"] = data;
        return configMap;
    }

    private static JsonObject Repository(EnvironmentClaim claim, AddOnChart chart, JsonObject labels)
    {
        var spec = new JsonObject { ["interval"] = "1h", ["url"] = chart.Repository };
        if (chart.IsOci)
        {
            spec["type"] = "oci";
        }

        return Object("source.toolkit.fluxcd.io/v1", "HelmRepository", chart.Name, claim.EnvironmentName, labels, spec);
    }

    private static JsonObject Release(EnvironmentClaim claim, AddOnChart chart, string? after, JsonObject labels)
    {
        var spec = new JsonObject
        {
            ["interval"] = "10m",
            ["releaseName"] = chart.Name,
            ["chart"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["chart"] = chart.Chart,
                    ["version"] = chart.Version,
                    ["sourceRef"] = new JsonObject { ["kind"] = "HelmRepository", ["name"] = chart.Name },
                    ["interval"] = "1h",
                },
            },
            ["install"] = new JsonObject { ["remediation"] = new JsonObject { ["retries"] = 3 } },
            ["upgrade"] = new JsonObject { ["remediation"] = new JsonObject { ["retries"] = 3 } },
            ["values"] = chart.Values.DeepClone(),
        };
        if (after is not null)
        {
            spec["dependsOn"] = new JsonArray(new JsonObject { ["name"] = after });
        }

        return Object("helm.toolkit.fluxcd.io/v2", "HelmRelease", chart.Name, claim.EnvironmentName, labels, spec);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
