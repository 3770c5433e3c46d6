using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Gantry.Sealing;
using Gantry.Sealing.Keys;

namespace Gantry.Bench;

/// <summary>
/// Sealing on the request path: values sealed per second with one RSA key (kubeseal's hybrid format), values
/// unsealed per second (what a controller does), and key-pair generation time, which is why keys come from a pool.
/// The naive baseline is generating a fresh key pair per request.
/// </summary>
public sealed class SealBenchmark(int bits, double seconds, int threads)
{
    public void Run()
    {
        var started = Stopwatch.StartNew();
        var pair = SealingKeyPair.Generate(TimeProvider.System, new SealingKeyOptions { KeySizeBits = bits });
        var keyGeneration = started.Elapsed.TotalMilliseconds;

        var sealer = new SealedSecretsSealer(pair.Certificate);
        var unsealer = new SealedSecretsUnsealer([pair.PrivateKey]);
        var value = RandomNumberGenerator.GetBytes(64);
        var sealedValue = sealer.SealValue(value, SealingScope.Strict, "qdrant-client1", "db1-api-key");

        var seal = Measure(() => sealer.SealValue(value, SealingScope.Strict, "qdrant-client1", "db1-api-key"));
        var unseal = Measure(() => unsealer.UnsealValue(sealedValue, SealingScope.Strict, "qdrant-client1", "db1-api-key"));

        Console.WriteLine($"| operation ({bits}-bit RSA, {threads} threads) | per second | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine(Row("seal one 64-byte value", seal));
        Console.WriteLine(Row("unseal one value", unseal));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| naive baseline: generate a key pair per request | {1000 / keyGeneration:0.00} | {keyGeneration:0.0} | {keyGeneration:0.0} |"));
    }

    private (double PerSecond, List<double> Latencies) Measure(Action operation)
    {
        var latencies = new List<double>[threads];
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        Parallel.For(0, threads, t =>
        {
            var own = latencies[t] = [];
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var start = Stopwatch.GetTimestamp();
                operation();
                own.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        });
        var all = latencies.SelectMany(l => l).Order().ToList();
        return (all.Count / clock.Elapsed.TotalSeconds, all);
    }

    private static string Row(string name, (double PerSecond, List<double> Latencies) result) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {result.PerSecond:0.0} | {result.Latencies[result.Latencies.Count / 2]:0.00} | {result.Latencies[Math.Min(result.Latencies.Count - 1, (int)(result.Latencies.Count * 0.99))]:0.00} |");
}
