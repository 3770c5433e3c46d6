using Gantry.Server.Environments;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Environments;

public sealed class EnvironmentOptionsTests
{
    [Fact]
    public void Configured_entries_change_only_the_fields_they_set_and_may_add_types_and_node_pools()
    {
        var options = new EnvironmentOptions
        {
            Types = { ["sue"] = new EnvironmentTypeOptions { MaxLifetime = TimeSpan.FromDays(3) }, ["qa"] = new EnvironmentTypeOptions { NodePools = ["gpu"] } },
            NodePools = { ["gpu"] = new NodePoolOptions { NodeSelector = new() { ["gpu"] = "true" }, Resources = new() { ["nvidia.com/gpu"] = "2" } } },
        };

        var policies = options.ToPolicies();

        Assert.Equal(TimeSpan.FromDays(3), policies.Types["sue"].MaxLifetime);
        Assert.Equal(TimeSpan.FromHours(24), policies.Types["sue"].DefaultLifetime);
        Assert.True(policies.Types["sue"].AllowDevTags);
        Assert.Equal(["gpu"], policies.Types["qa"].NodePools);
        Assert.Equal("true", policies.NodePools["gpu"].NodeSelector["gpu"]);
        Assert.Equal("2", policies.NodePools["gpu"].Resources["nvidia.com/gpu"]);
        Assert.Equal(6, policies.NodePools.Count - 1);
        Assert.True(new EnvironmentOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Every_bad_setting_is_named_by_its_key()
    {
        var options = new EnvironmentOptions
        {
            ExpiryInterval = TimeSpan.Zero,
            Types =
            {
                ["dev"] = new EnvironmentTypeOptions { NodePools = ["nowhere"], HighAvailability = true, Replicas = 1 },
                ["prod"] = new EnvironmentTypeOptions { DeploymentMethods = ["bucket"] },
                ["sue"] = new EnvironmentTypeOptions { MaxLifetime = TimeSpan.FromHours(1) },
            },
        };

        var result = new EnvironmentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var key in new[] { "Environments:ExpiryInterval", "Environments:Types:dev:NodePools", "Environments:Types:dev:Replicas",
                     "Environments:Types:prod:DeploymentMethods", "Environments:Types:sue:MaxLifetime" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_add_on_entry_changes_a_chart_version_values_and_a_types_mode()
    {
        var options = new EnvironmentOptions
        {
            DnsZone = "envs.example.org",
            AddOns =
            {
                ["logging"] = new AddOnOptions
                {
                    Types = new() { ["stage"] = Core.Environments.AddOnMode.Shared },
                    Charts = new() { ["elasticsearch"] = new AddOnChartOptions { Version = "8.6.0", Values = new() { ["replicas"] = "3", ["esConfig.tls"] = "true" } } },
                },
            },
        };

        var policies = options.ToPolicies();

        var logging = policies.AddOns.Single(a => a.Name == "logging");
        var elasticsearch = logging.Charts.Single(c => c.Name == "elasticsearch");
        Assert.Equal("8.6.0", elasticsearch.Version);
        Assert.Equal(3L, (long)elasticsearch.Values["replicas"]!);
        Assert.True((bool)elasticsearch.Values["esConfig"]!["tls"]!);
        Assert.Equal(Core.Environments.AddOnMode.Shared, logging.ModeFor("stage"));
        Assert.Equal(Core.Environments.AddOnMode.Dedicated, logging.ModeFor("prod"));
        Assert.Equal(4, policies.AddOns.Count);
        Assert.Equal("envs.example.org", policies.DnsZone);
        Assert.True(new EnvironmentOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Every_bad_add_on_setting_is_named_by_its_key()
    {
        var options = new EnvironmentOptions
        {
            DnsZone = "not a zone",
            AddOns =
            {
                ["tracing"] = new AddOnOptions { Variable = "tracing-endpoint", SharedEndpoint = "nowhere", DedicatedEndpoint = "http://jaeger.{namespace}.svc", Types = new() { ["qa"] = Core.Environments.AddOnMode.Dedicated } },
                ["monitoring"] = new AddOnOptions { Charts = new() { ["kong"] = new AddOnChartOptions { Repository = "ftp://x", Version = "1" } } },
            },
        };

        var result = new EnvironmentOptionsValidator().Validate(null, options);

        foreach (var key in new[] { "Environments:DnsZone", "Environments:AddOns:tracing:Variable", "Environments:AddOns:tracing:SharedEndpoint",
                     "Environments:AddOns:tracing:Types", "Environments:AddOns:tracing:Charts", "Environments:AddOns:monitoring:Charts:kong" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_static_environments_bucket_cannot_be_the_environments_bucket()
    {
        using var folder = new TempFolder("gantry-static-bucket");

        await using var server = ServerProcess.Start(["--data-dir", folder.Combine("data"), "--Buckets:static-environments:Bucket", "environments"]);

        Assert.NotEqual(0, await server.WaitForExitAsync());
        Assert.Contains("Buckets:static-environments:Bucket must name another bucket", server.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_catalog_with_a_cycle_stops_the_start_naming_it()
    {
        using var folder = new TempFolder("gantry-services");
        foreach (var (name, needs) in new[] { ("a", "b"), ("b", "a") })
        {
            await File.WriteAllTextAsync(folder.Combine($"{name}.yaml"),
                $"name: {name}\nimage: registry.example.com/{name}\nchart: {{repository: https://charts.example.com, name: c, version: 1.0.0}}\nversions: {{kind: static, tags: [v1.0.0]}}\ndependencies: [{needs}]\n");
        }

        await using var server = ServerProcess.Start(["--data-dir", folder.Combine("data"), "--Environments:ServicesPath", folder.Path]);

        Assert.NotEqual(0, await server.WaitForExitAsync());
        var error = server.StandardError.Trim().Split('\n')[^1];
        Assert.StartsWith("gantry: cannot start:", error, StringComparison.Ordinal);
        Assert.Contains("dependency cycle: a -> b -> a", error, StringComparison.Ordinal);
    }
}
