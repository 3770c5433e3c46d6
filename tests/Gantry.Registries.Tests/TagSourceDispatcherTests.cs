using Gantry.Core.Versions;
using Gantry.Registries.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Registries.Tests;

public sealed class TagSourceDispatcherTests
{
    private const string Index = "apiVersion: v1\nentries:\n  runner:\n    - version: 1.0.0\n    - version: 1.1.0\n";

    [Fact]
    public async Task Burst_of_requests_reads_the_repository_once()
    {
        using var server = new LoopbackHttpServer(async context =>
        {
            await Task.Delay(100);
            await LoopbackHttpServer.WriteAsync(context.Response, 200, "application/yaml", System.Text.Encoding.UTF8.GetBytes(Index));
        });
        var (dispatcher, _) = Create(new FakeTimeProvider());
        var reference = TagSourceReference.Helm(server.BaseUri.ToString(), "runner");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => dispatcher.ListTagsAsync(reference)));

        Assert.All(results, tags => Assert.Equal(["1.0.0", "1.1.0"], tags));
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Cached_tags_expire_after_the_cache_duration()
    {
        using var server = new LoopbackHttpServer(context =>
            LoopbackHttpServer.WriteAsync(context.Response, 200, "application/yaml", System.Text.Encoding.UTF8.GetBytes(Index)));
        var time = new FakeTimeProvider();
        var (dispatcher, options) = Create(time);
        var reference = TagSourceReference.Helm(server.BaseUri.ToString(), "runner");

        await dispatcher.ListTagsAsync(reference);
        time.Advance(options.CacheDuration - TimeSpan.FromSeconds(1));
        await dispatcher.ListTagsAsync(reference);
        Assert.Equal(1, server.Requests);

        time.Advance(TimeSpan.FromSeconds(2));
        await dispatcher.ListTagsAsync(reference);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task Failures_are_not_cached()
    {
        var calls = 0;
        using var server = new LoopbackHttpServer(context => Interlocked.Increment(ref calls) == 1
            ? LoopbackHttpServer.WriteAsync(context.Response, 503, "text/plain", [])
            : LoopbackHttpServer.WriteAsync(context.Response, 200, "application/yaml", System.Text.Encoding.UTF8.GetBytes(Index)));
        var (dispatcher, _) = Create(new FakeTimeProvider());
        var reference = TagSourceReference.Helm(server.BaseUri.ToString(), "runner");

        var error = await Assert.ThrowsAsync<TagSourceException>(() => dispatcher.ListTagsAsync(reference));
        var tags = await dispatcher.ListTagsAsync(reference);

        Assert.Equal(503, error.StatusCode);
        Assert.Equal(["1.0.0", "1.1.0"], tags);
    }

    [Fact]
    public async Task Static_references_list_their_own_tags()
    {
        var (dispatcher, _) = Create(new FakeTimeProvider());

        var tags = await dispatcher.ListTagsAsync(TagSourceReference.Static("v1.2.3", "v2.1.0", "v1.0.5"));

        Assert.Equal(["v1.2.3", "v2.1.0", "v1.0.5"], tags);
    }

    private static (TagSourceDispatcher Dispatcher, RegistriesOptions Options) Create(TimeProvider time)
    {
        var options = new RegistriesOptions();
        var wrapped = Options.Create(options);
        var dispatcher = new TagSourceDispatcher(
            TestSources.Oci(options),
            TestSources.Helm(options),
            new StaticTagSource(),
            new TagListCache(time, wrapped),
            NullLogger<TagSourceDispatcher>.Instance);
        return (dispatcher, options);
    }
}
