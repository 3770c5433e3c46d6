using System.Diagnostics;
using Gantry.Sealing.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using Gantry.Testing;

namespace Gantry.Sealing.Tests;

public sealed class SealingKeyPoolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Pool_hands_out_pregenerated_distinct_keys()
    {
        var options = new SealingKeyPoolOptions { Capacity = 1, KeySizeBits = 2048, CommonName = "pool" };
        using var pool = new SealingKeyPool(Options.Create(options), TimeProvider.System, NullLogger<SealingKeyPool>.Instance);
        await pool.StartAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var first = await pool.TakeAsync(timeout.Token);
        var second = await pool.TakeAsync(timeout.Token);
        await pool.StopAsync(CancellationToken.None);

        Assert.NotEqual(first.Certificate.Fingerprint, second.Certificate.Fingerprint);
        Assert.Equal(2048, first.Certificate.KeySizeBits);
    }

    [Fact]
    public void Registration_gives_one_pool_that_is_also_the_hosted_service()
    {
        using var provider = new ServiceCollection()
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddSealingKeyPool(o => o.KeySizeBits = 2048)
            .BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<SealingKeyPool>(), Assert.Single(provider.GetServices<IHostedService>()));
    }

    [Fact]
    public void Invalid_pool_options_name_the_bad_key()
    {
        var errors = new SealingKeyPoolOptions { Capacity = 0, KeySizeBits = 1024 }.Validate();

        Assert.Equal(["Sealing:KeyPool:Capacity must be 1 to 64", "Sealing:KeyPool:KeySizeBits must be 2048, 3072 or 4096"], errors);
    }

    /// <summary>Prints the figures of the performance section; asserts only correctness.</summary>
    [Fact]
    public void Seal_throughput_and_key_generation_time_are_reported()
    {
        var sealer = SealingTestKeys.Sealer();
        var value = new byte[64];
        sealer.SealValue(value, SealingScope.Strict, "n", "s");

        const int Count = 300;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Count; i++)
        {
            sealer.SealValue(value, SealingScope.Strict, "n", "s");
        }

        var sealRate = Count / watch.Elapsed.TotalSeconds;
        var sealed1 = sealer.SealValue(value, SealingScope.Strict, "n", "s");
        watch.Restart();
        const int Opens = 20;
        var unsealer = SealingTestKeys.Unsealer();
        for (var i = 0; i < Opens; i++)
        {
            unsealer.UnsealValue(sealed1, SealingScope.Strict, "n", "s");
        }

        var openRate = Opens / watch.Elapsed.TotalSeconds;
        watch.Restart();
        SealingKeyPair.Generate(TimeProvider.System);
        var generation = watch.Elapsed;

        output.WriteLine($"seal (4096-bit, 64-byte value): {sealRate:F0} values/s; unseal: {openRate:F0} values/s; RSA-4096 key + cert generation: {generation.TotalMilliseconds:F0} ms");
        Assert.True(sealRate > 0);
    }
}
