using Gantry.Core.Caching;

namespace Gantry.Core.Tests.Caching;

public sealed class BoundedCacheTests
{
    [Fact]
    public void A_full_cache_starts_over_but_replacing_a_kept_key_does_not_empty_it()
    {
        var cache = new BoundedCache<string, int>(2, StringComparer.Ordinal);
        cache.Set("a", 1);
        cache.Set("b", 2);

        Assert.Equal(3, cache.Set("b", 3));
        Assert.True(cache.TryGetValue("a", out _));

        cache.Set("c", 4);
        Assert.False(cache.TryGetValue("a", out _));
        Assert.False(cache.TryGetValue("b", out _));
        Assert.True(cache.TryGetValue("c", out var c));
        Assert.Equal(4, c);

        cache.Remove("c");
        Assert.False(cache.TryGetValue("c", out _));
    }
}
