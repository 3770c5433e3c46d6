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

    /// <summary>
    /// Prints the figures of the performance section, as wall-clock rates and as rates per CPU second (the
    /// process's CPU time, which a machine shared with other builds does not distort); asserts only correctness.
    /// </summary>
    [Fact]
    public void Seal_throughput_and_key_generation_time_are_reported()
    {
        var sealer = SealingTestKeys.Sealer();
        var unsealer = SealingTestKeys.Unsealer();
        var value = new byte[64];
        var sealedValue = sealer.SealValue(value, SealingScope.Strict, "n", "s");

        var seal = Measure(500, () => sealer.SealValue(value, SealingScope.Strict, "n", "s"));
        var unseal = Measure(20, () => unsealer.UnsealValue(sealedValue, SealingScope.Strict, "n", "s"));
        var generate = Measure(1, () => SealingKeyPair.Generate(TimeProvider.System));

        output.WriteLine($"seal 64-byte value, RSA-4096: {seal.PerWallSecond:F0} values/s wall, {seal.PerCpuSecond:F0} values per CPU-second");
        output.WriteLine($"unseal, RSA-4096: {unseal.PerWallSecond:F1} values/s wall, {unseal.PerCpuSecond:F1} values per CPU-second");
        output.WriteLine($"RSA-4096 key + certificate generation: {generate.Wall.TotalMilliseconds:F0} ms wall, {generate.Cpu.TotalMilliseconds:F0} ms CPU");
        Assert.Equal(value, unsealer.UnsealValue(sealedValue, SealingScope.Strict, "n", "s"));
    }

    private static (TimeSpan Wall, TimeSpan Cpu, double PerWallSecond, double PerCpuSecond) Measure(int count, Action action)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            action();
        }

        var wall = watch.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        return (wall, cpu, count / wall.TotalSeconds, count / Math.Max(cpu.TotalSeconds, 1e-6));
    }
}
