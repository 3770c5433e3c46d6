using Gantry.Core.Versions;
using Gantry.Registries.Tests.Infrastructure;

namespace Gantry.Registries.Tests;

/// <summary>Against a real docker-registry started by the test run, with tags pushed through its HTTP API.</summary>
public sealed class OciTagSourceTests(AnonymousRegistryFixture fixture) : IClassFixture<AnonymousRegistryFixture>
{
    private TagSourceReference UserService => TagSourceReference.Oci(fixture.Registry.BaseUri.ToString(), AnonymousRegistryFixture.Repository);

    [Fact]
    public async Task Lists_every_tag_pushed_to_the_registry()
    {
        var tags = await TestSources.Oci().ListTagsAsync(UserService);

        Assert.Equal(AnonymousRegistryFixture.Tags.Order(StringComparer.Ordinal), tags.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("v1.2.3", "v1.2.3")]
    [InlineData("1.2.3", "v1.2.3")]
    [InlineData("^1.0.0", "v1.10.0")]
    [InlineData("~1.2", "v1.2.3")]
    [InlineData("1.x.x", "v1.10.0")]
    [InlineData(">=1.2.0 <2.0.0", "v1.10.0")]
    [InlineData("^2.0.0", "v2.1.1")]
    [InlineData("*", "v2.1.1")]
    [InlineData("latest", "v2.1.1")]
    [InlineData("main", "main")]
    public async Task Constraints_resolve_to_the_expected_registry_tag(string constraint, string expected)
    {
        var tags = await TestSources.Oci().ListTagsAsync(UserService);

        Assert.Equal(expected, VersionResolver.Resolve(constraint, tags).Tag);
    }

    [Fact]
    public async Task Unmatched_constraint_reports_the_registry_tags_it_saw()
    {
        var tags = await TestSources.Oci().ListTagsAsync(UserService);

        var resolution = VersionResolver.Resolve("^3.0.0", tags);

        Assert.False(resolution.IsResolved);
        Assert.Contains("v2.1.1", resolution.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oci_helm_chart_reference_lists_chart_versions()
    {
        var options = new RegistriesOptions();
        options.PlainHttpHosts.Add(fixture.Registry.Authority);
        var reference = TagSourceReference.Oci($"oci://{fixture.Registry.Authority}/{AnonymousRegistryFixture.ChartRepository}");

        var tags = await TestSources.Oci(options).ListTagsAsync(reference);

        Assert.Equal(AnonymousRegistryFixture.ChartTags.Order(StringComparer.Ordinal), tags.Order(StringComparer.Ordinal));
        Assert.Equal("1.13.1_build.2", VersionResolver.Resolve("~1.13", tags).Tag);
        Assert.Equal("1.14.0-rc.1", VersionResolver.Resolve("^1.0.0", tags, new VersionResolveOptions { AllowPrerelease = true }).Tag);
    }

    [Fact]
    public async Task Small_pages_are_followed_through_link_headers()
    {
        using var front = new PagingRegistryFront(fixture.Registry);
        var reference = TagSourceReference.Oci(front.BaseUri.ToString(), AnonymousRegistryFixture.Repository);

        var tags = await TestSources.Oci(new RegistriesOptions { PageSize = 2 }).ListTagsAsync(reference);

        Assert.Equal(AnonymousRegistryFixture.Tags.Order(StringComparer.Ordinal), tags);
        Assert.Equal((AnonymousRegistryFixture.Tags.Length + 1) / 2, front.Requests);
    }

    [Fact]
    public async Task Registry_that_ignores_n_still_yields_every_tag()
    {
        var tags = await TestSources.Oci(new RegistriesOptions { PageSize = 2 }).ListTagsAsync(UserService);

        Assert.Equal(AnonymousRegistryFixture.Tags.Length, tags.Count);
    }

    [Fact]
    public async Task Unknown_repository_is_an_error_naming_registry_and_repository()
    {
        var reference = TagSourceReference.Oci(fixture.Registry.BaseUri.ToString(), "team/nothing-here");

        var error = await Assert.ThrowsAsync<TagSourceException>(() => TestSources.Oci().ListTagsAsync(reference));

        Assert.Equal(404, error.StatusCode);
        Assert.Contains(fixture.Registry.Authority, error.Message, StringComparison.Ordinal);
        Assert.Contains("team/nothing-here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_over_the_size_limit_is_refused()
    {
        var error = await Assert.ThrowsAsync<TagSourceException>(
            () => TestSources.Oci(new RegistriesOptions { MaxResponseBytes = 64 }).ListTagsAsync(UserService));

        Assert.Contains("larger than the 64 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_registry_is_an_error_naming_it()
    {
        var port = LoopbackHttpServer.FreePort();
        var reference = TagSourceReference.Oci($"http://127.0.0.1:{port}", "team/app");

        var error = await Assert.ThrowsAsync<TagSourceException>(() => TestSources.Oci().ListTagsAsync(reference));

        Assert.Contains($"registry 127.0.0.1:{port} repository team/app", error.Message, StringComparison.Ordinal);
    }
}
