using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Environments;
using Gantry.Core.Tests.Rendering;
using Gantry.Core.Yaml;
using Gantry.Testing;

namespace Gantry.Core.Tests.Environments;

/// <summary>What each type gets beside its services: shared add-ons as endpoints only, dedicated ones deployed.</summary>
public sealed class EnvironmentAddOnTests
{
    [Fact]
    public void A_dev_environment_renders_only_the_platform_endpoints_of_the_shared_add_ons()
    {
        var files = EnvironmentRenderingTests.Render("dev-team1-feature-x");

        Assert.DoesNotContain(files.Keys, k => k.StartsWith("addons/", StringComparison.Ordinal));
        var data = Documents(files, "platform-endpoints.yaml").Single()["data"]!;
        Assert.Equal("http://elasticsearch-master.platform-logging.svc:9200", (string?)data["LOGGING_ENDPOINT"]);
        Assert.Equal("http://kong-proxy.platform-gateway.svc", (string?)data["API_GATEWAY_ENDPOINT"]);
        Assert.NotNull(data["AUTHORIZATION_ENDPOINT"]);
        Assert.NotNull(data["MONITORING_ENDPOINT"]);
        Assert.Null(data["PUBLIC_DNS_NAME"]);
        Assert.Null(data["WAF_ENABLED"]);
        var release = Documents(files, "services/user-service.yaml").Single();
        Assert.Equal("platform-endpoints", (string?)release["spec"]!["values"]!["envFrom"]![0]!["configMapRef"]!["name"]);
        Assert.Equal(["auth-service"], release["spec"]!["dependsOn"]!.AsArray().Select(d => (string)d!["name"]!));
    }

    [Fact]
    public void A_prod_environment_deploys_the_dedicated_bundle_before_its_services_and_points_the_endpoints_at_it()
    {
        var files = EnvironmentRenderingTests.Render("prod-team1");

        var releases = files.Keys.Where(k => k.StartsWith("addons/", StringComparison.Ordinal))
            .SelectMany(k => Documents(files, k)).Where(d => (string?)d["kind"] == "HelmRelease").ToList();
        Assert.Equal(["cedar-agent", "elasticsearch", "fluent-bit", "kong", "kube-prometheus-stack", "opal"], releases.Select(r => (string)r["metadata"]!["name"]!).Order(StringComparer.Ordinal));
        Assert.All(releases, r => Assert.Equal("prod-team1", (string?)r["metadata"]!["namespace"]));
        Assert.Equal("elasticsearch", (string?)releases.Single(r => (string?)r["metadata"]!["name"] == "fluent-bit")["spec"]!["dependsOn"]![0]!["name"]);
        Assert.Equal("opal", (string?)releases.Single(r => (string?)r["metadata"]!["name"] == "cedar-agent")["spec"]!["dependsOn"]![0]!["name"]);

        var service = Documents(files, "services/user-service.yaml").Single();
        var waitsFor = service["spec"]!["dependsOn"]!.AsArray().Select(d => (string)d!["name"]!).ToList();
        Assert.Contains("auth-service", waitsFor);
        Assert.All(releases, r => Assert.Contains((string)r["metadata"]!["name"]!, waitsFor));

        var data = Documents(files, "platform-endpoints.yaml").Single()["data"]!;
        Assert.Equal("http://elasticsearch-master.prod-team1.svc:9200", (string?)data["LOGGING_ENDPOINT"]);
        Assert.Equal("prod-team1.environments.example.com", (string?)data["PUBLIC_DNS_NAME"]);
        Assert.Equal("true", (string?)data["WAF_ENABLED"]);
        var ns = Documents(files, "namespace.yaml").Single()["metadata"]!["annotations"]!;
        Assert.Equal("enabled", (string?)ns["gantry.dev/waf"]);
        Assert.Equal("prod-team1.environments.example.com", (string?)ns["gantry.dev/dns-name"]);
    }

    [Fact]
    public void A_type_configured_with_a_shared_bundle_gets_no_releases()
    {
        var policies = EnvironmentPolicies.Default with
        {
            AddOns = [.. EnvironmentPolicies.Default.AddOns.Select(a => a with { Types = new Dictionary<string, AddOnMode> { ["prod"] = AddOnMode.Shared } })],
        };
        var claim = EnvironmentJson.Parse(Encoding.UTF8.GetBytes("""{"environment_name":"prod-x","environment_type":"prod","environment_pool":"team1","services":{}}"""));

        var rendered = EnvironmentAddOnRenderer.Render(claim, policies, _ => []);

        Assert.Empty(rendered.Releases);
        Assert.Equal([EnvironmentAddOnRenderer.EndpointsFile], rendered.Files.Keys);
    }

    [Fact]
    public void The_prod_environment_folder_builds_with_kubectl_kustomize()
    {
        using var folder = new TempFolder("gantry-env");
        foreach (var (path, content) in EnvironmentRenderingTests.Render("prod-team1"))
        {
            var file = folder.Combine(path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, content);
        }

        var built = RenderingFixture.Kustomize(folder.Path);

        var objects = built.Split("\n---\n").Select(d => YamlJson.Parse(d)!.AsObject()).ToList();
        Assert.Contains(objects, o => (string?)o["kind"] == "ConfigMap" && (string?)o["metadata"]!["name"] == "platform-endpoints");
        Assert.Equal(6 + 2, objects.Count(o => (string?)o["kind"] == "HelmRelease"));
    }

    private static List<JsonObject> Documents(IReadOnlyDictionary<string, byte[]> files, string path) =>
        Encoding.UTF8.GetString(files[path]).Split("---\n").Where(d => d.Trim().Length > 0).Select(d => YamlJson.Parse(d)!.AsObject()).ToList();
}
