using System.Diagnostics;
using Gantry.Sealing.Keys;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using Gantry.Testing;

namespace Gantry.Sealing.Tests;

public sealed class SealingKeyPoolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Pool_hands_out_pregenerated_distinct_keys()
    {
        var options = new SealingKeyPoolOptions { Capacity = 1, KeySizeBits = 2048, CommonName = "pool" };
        using var pool = new SealingKeyPool(options, TimeProvider.System, NullLogger<SealingKeyPool>.Instance);
        await pool.StartAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var first = await pool.TakeAsync(timeout.Token);
        var second = await pool.TakeAsync(timeout.Token);
        await pool.StopAsync(CancellationToken.None);

        Assert.NotEqual(first.Certificate.Fingerprint, second.Certificate.Fingerprint);
        Assert.Equal(2048, first.Certificate.KeySizeBits);
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
