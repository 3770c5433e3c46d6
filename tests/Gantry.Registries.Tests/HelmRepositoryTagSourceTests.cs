using System.Net;
using System.Text;
using Gantry.Core.Versions;
using Gantry.Registries.Tests.Infrastructure;

namespace Gantry.Registries.Tests;

/// <summary>Helm repositories served over loopback HTTP; the index is Helm's own test data (shared/interop/oci-helm).</summary>
public sealed class HelmRepositoryTagSourceTests
{
    private static readonly byte[] SharedIndex = File.ReadAllBytes(TestSources.SharedInteropFile("oci-helm", "helm-local-index.yaml"));

    [Theory]
    [InlineData("nginx", new[] { "0.2.0", "0.1.0" })]
    [InlineData("alpine", new[] { "1.0.0" })]
    [InlineData("chartWithNoURL", new[] { "1.0.0" })]
    public async Task Lists_the_versions_of_one_chart(string chart, string[] expected)
    {
        using var server = ServeIndex("/stable/index.yaml", SharedIndex);

        var tags = await TestSources.Helm().ListTagsAsync(TagSourceReference.Helm(new Uri(server.BaseUri, "stable").ToString(), chart));

        Assert.Equal(expected, tags);
    }

    [Theory]
    [InlineData("*", "0.2.0")]
    [InlineData("^0.1.0", "0.1.0")]
    [InlineData("0.x", "0.2.0")]
    [InlineData(">0.1.0", "0.2.0")]
    public async Task Chart_constraints_resolve_against_the_index(string constraint, string expected)
    {
        using var server = ServeIndex("/index.yaml", SharedIndex);

        var tags = await TestSources.Helm().ListTagsAsync(TagSourceReference.Helm(server.BaseUri.ToString(), "nginx"));

        Assert.Equal(expected, VersionResolver.Resolve(constraint, tags).Tag);
    }

    [Fact]
    public async Task Unknown_chart_is_a_404_naming_repository_and_chart()
    {
        using var server = ServeIndex("/index.yaml", SharedIndex);

        var error = await Assert.ThrowsAsync<TagSourceException>(
            () => TestSources.Helm().ListTagsAsync(TagSourceReference.Helm(server.BaseUri.ToString(), "qdrant")));

        Assert.Equal(404, error.StatusCode);
        Assert.Contains("chart qdrant", error.Message, StringComparison.Ordinal);
        Assert.Contains(server.BaseUri.Authority, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Big_index_yields_one_charts_versions()
    {
        var index = new StringBuilder("apiVersion: v1\nentries:\n");
        for (var chart = 0; chart < 3000; chart++)
        {
            index.Append($"  chart-{chart}:\n");
            for (var version = 0; version < 20; version++)
            {
                index.Append($"    - name: chart-{chart}\n      version: 1.{version}.0\n      urls: [\"https://example.com/chart-{chart}-1.{version}.0.tgz\"]\n")
                    .Append("      digest: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
                    .Append("      maintainers:\n        - name: someone\n          email: someone@example.com\n");
            }
        }

        index.Append("  wanted:\n    - name: wanted\n      version: 2.0.0\n    - name: wanted\n      version: 2.1.0\n      removed: true\n")
            .Append("generated: 2026-11-23T00:00:00Z\n");
        var bytes = Encoding.UTF8.GetBytes(index.ToString());
        Assert.True(bytes.Length > 10 * 1024 * 1024);
        using var server = ServeIndex("/index.yaml", bytes);

        var tags = await TestSources.Helm().ListTagsAsync(TagSourceReference.Helm(server.BaseUri.ToString(), "wanted"));

        Assert.Equal(["2.0.0"], tags);
    }

    [Fact]
    public async Task Json_index_is_read_too()
    {
        var json = """{"apiVersion":"v1","entries":{"runner":[{"name":"runner","version":"3.1.0"},{"name":"runner","version":"3.0.2"}]}}"""u8.ToArray();
        using var server = ServeIndex("/index.yaml", json);

        var tags = await TestSources.Helm().ListTagsAsync(TagSourceReference.Helm(server.BaseUri.ToString(), "runner"));

        Assert.Equal(["3.1.0", "3.0.2"], tags);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Index_over_the_size_limit_is_refused(bool chunked)
    {
        using var server = ServeIndex("/index.yaml", SharedIndex, chunked);
        var options = new RegistriesOptions { MaxResponseBytes = 512 };

        var error = await Assert.ThrowsAsync<TagSourceException>(
            () => TestSources.Helm(options).ListTagsAsync(TagSourceReference.Helm(server.BaseUri.ToString(), "nginx")));

        Assert.Contains("larger than the 512 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_without_api_version_is_refused()
    {
        using var server = ServeIndex("/index.yaml", "entries:\n  nginx:\n    - version: 1.0.0\n"u8.ToArray());

        var error = await Assert.ThrowsAsync<TagSourceException>(
            () => TestSources.Helm().ListTagsAsync(TagSourceReference.Helm(server.BaseUri.ToString(), "nginx")));

        Assert.Contains("no apiVersion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broken_yaml_is_an_error_not_a_crash()
    {
        using var server = ServeIndex("/index.yaml", "apiVersion: v1\nentries: [\n  nginx: {\n"u8.ToArray());

        var error = await Assert.ThrowsAsync<TagSourceException>(
            () => TestSources.Helm().ListTagsAsync(TagSourceReference.Helm(server.BaseUri.ToString(), "nginx")));

        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_credentials_are_sent_and_never_shown()
    {
        using var server = new LoopbackHttpServer(async context =>
        {
            var ok = context.Request.Headers["Authorization"] == "Basic " + Convert.ToBase64String("reader:hunter2"u8.ToArray());
            await LoopbackHttpServer.WriteAsync(context.Response, ok ? 200 : 401, "application/yaml", ok ? SharedIndex : []);
        });
        var options = new RegistriesOptions();
        options.Credentials.Add(new RegistryCredential { Host = server.BaseUri.Authority, Username = "reader", Password = "hunter2" });

        var tags = await TestSources.Helm(options).ListTagsAsync(TagSourceReference.Helm(server.BaseUri.ToString(), "alpine"));
        var refused = await Assert.ThrowsAsync<TagSourceException>(
            () => TestSources.Helm().ListTagsAsync(TagSourceReference.Helm($"http://reader:hunter2@{server.BaseUri.Authority}/", "alpine")));

        Assert.Equal(["1.0.0"], tags);
        Assert.Equal(401, refused.StatusCode);
        Assert.DoesNotContain("hunter2", refused.ToString(), StringComparison.Ordinal);
    }

    private static LoopbackHttpServer ServeIndex(string path, byte[] index, bool chunked = false) =>
        new(context => context.Request.Url!.AbsolutePath == path
            ? LoopbackHttpServer.WriteAsync(context.Response, (int)HttpStatusCode.OK, "application/yaml", index, chunked)
            : LoopbackHttpServer.WriteAsync(context.Response, (int)HttpStatusCode.NotFound, "text/plain", "not found"u8.ToArray()));
}
