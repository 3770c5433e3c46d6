using Gantry.Core.Versions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gantry.Registries.Tests;

public sealed class RegistriesServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddTagSources_registers_a_working_tag_source()
    {
        await using var provider = new ServiceCollection().AddLogging().AddTagSources().BuildServiceProvider();

        var tags = await provider.GetRequiredService<ITagSource>().ListTagsAsync(TagSourceReference.Static("v1.0.0"));

        Assert.IsType<TagSourceDispatcher>(provider.GetRequiredService<ITagSource>());
        Assert.Equal(["v1.0.0"], tags);
    }

    [Fact]
    public async Task Options_bind_from_the_registries_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registries:PageSize"] = "50",
            ["Registries:CacheDuration"] = "00:00:05",
            ["Registries:PlainHttpHosts:0"] = "registry.local:5000",
            ["Registries:Credentials:0:Host"] = "registry.local:5000",
            ["Registries:Credentials:0:Username"] = "robot",
            ["Registries:Credentials:0:Password"] = "secret",
        }).Build();
        await using var provider = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddTagSources().BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RegistriesOptions>>().Value;

        Assert.Equal(50, options.PageSize);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CacheDuration);
        Assert.Equal(["registry.local:5000"], options.PlainHttpHosts);
        Assert.Equal("robot", Assert.Single(options.Credentials).Username);
    }

    [Fact]
    public async Task Invalid_options_name_the_bad_key()
    {
        await using var provider = new ServiceCollection().AddLogging().AddTagSources(o => o.PageSize = 0).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RegistriesOptions>>().Value);

        Assert.Contains("Registries:PageSize", error.Message, StringComparison.Ordinal);
    }
}
