using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Sealing.Keys;

/// <summary>Options of <see cref="SealingKeyPool"/>.</summary>
public sealed class SealingKeyPoolOptions
{
    public const string SectionName = "Sealing:KeyPool";

    /// <summary>How many key pairs to keep ready. Each 4096-bit pair takes about a second of one core to make.</summary>
    public int Capacity { get; set; } = 2;

    public int KeySizeBits { get; set; } = 4096;

    /// <summary>Common name of pooled certificates; keys are made before the tenant is known.</summary>
    public string CommonName { get; set; } = "";

    /// <summary>Problems with these options, each naming its configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Capacity is < 1 or > 64)
        {
            errors.Add($"{SectionName}:{nameof(Capacity)} must be 1 to 64");
        }

        if (KeySizeBits is not (2048 or 3072 or 4096))
        {
            errors.Add($"{SectionName}:{nameof(KeySizeBits)} must be 2048, 3072 or 4096");
        }

        return errors;
    }
}

/// <summary>
/// Generates sealing key pairs ahead of need on a background thread, so that creating a tenant or rotating its key
/// takes a ready pair instead of spending a second of CPU on the request path. Register as a singleton and as a
/// hosted service: <c>services.AddSingleton&lt;SealingKeyPool&gt;().AddHostedService(sp =&gt; sp.GetRequiredService&lt;SealingKeyPool&gt;())</c>.
/// </summary>
public sealed partial class SealingKeyPool(IOptions<SealingKeyPoolOptions> options, TimeProvider time, ILogger<SealingKeyPool> logger)
    : BackgroundService
{
    private readonly Channel<SealingKeyPair> _ready = Channel.CreateBounded<SealingKeyPair>(
        new BoundedChannelOptions(Math.Max(1, options.Value.Capacity)) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly SealingKeyOptions _keyOptions = new() { KeySizeBits = options.Value.KeySizeBits, CommonName = options.Value.CommonName };

    /// <summary>How many pairs are ready now.</summary>
    public int ReadyCount => _ready.Reader.Count;

    /// <summary>Takes a ready pair, waiting for the background generator when the pool is empty.</summary>
    public ValueTask<SealingKeyPair> TakeAsync(CancellationToken cancellationToken = default) =>
        _ready.Reader.ReadAsync(cancellationToken);

    /// <summary>Takes a ready pair if there is one.</summary>
    public bool TryTake(out SealingKeyPair? keyPair) => _ready.Reader.TryRead(out keyPair);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave the host's start-up path at once; generation is CPU-bound.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _ready.Writer.WaitToWriteAsync(stoppingToken);
                var started = time.GetTimestamp();
                var pair = SealingKeyPair.Generate(time, _keyOptions);
                var elapsed = time.GetElapsedTime(started);
                Log.KeyGenerated(logger, _keyOptions.KeySizeBits, elapsed);
                await _ready.Writer.WriteAsync(pair, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or SealingException)
            {
                Log.GenerationFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Generated a {KeySizeBits}-bit sealing key in {Elapsed}")]
        public static partial void KeyGenerated(ILogger logger, int keySizeBits, TimeSpan elapsed);

        [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "Sealing key generation failed; retrying in 5 s")]
        public static partial void GenerationFailed(ILogger logger, Exception exception);
    }
}
