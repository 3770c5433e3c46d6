using System.Diagnostics;
using System.Runtime.CompilerServices;
using Gantry.Core.Buckets;

namespace Gantry.Buckets;

/// <summary>A bucket that counts and times what goes through it (<see cref="BucketMetrics"/>), and otherwise is the bucket it wraps.</summary>
internal sealed class MeteredBucket(IObjectBucket inner, string name, BucketMetrics metrics) : IObjectBucket, IDisposable
{
    /// <summary>The bucket measured.</summary>
    public IObjectBucket Inner => inner;

    /// <summary>Disposes the wrapped bucket (an S3 client) with the container.</summary>
    public void Dispose() => (inner as IDisposable)?.Dispose();

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        MeasureAsync("put", () => inner.PutAsync(key, content, cancellationToken));

    public Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        MeasureAsync("get", () => inner.GetAsync(key, cancellationToken));

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        MeasureAsync("delete", () => inner.DeleteAsync(key, cancellationToken));

    public IAsyncEnumerable<string> ListAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        MeasureAsync(inner.ListAsync(prefix, cancellationToken), cancellationToken);

    public IAsyncEnumerable<BucketEntry> ListEntriesAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        MeasureAsync(inner.ListEntriesAsync(prefix, cancellationToken), cancellationToken);

    private async Task MeasureAsync(string operation, Func<Task> action)
    {
        await MeasureAsync(operation, async () =>
        {
            await action();
            return true;
        });
    }

    private async Task<T> MeasureAsync<T>(string operation, Func<Task<T>> action)
    {
        var started = Stopwatch.GetTimestamp();
        var ok = false;
        try
        {
            var result = await action();
            ok = true;
            return result;
        }
        finally
        {
            metrics.Record(name, operation, ok, started);
        }
    }

    private async IAsyncEnumerable<T> MeasureAsync<T>(IAsyncEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var ok = false;
        try
        {
            await foreach (var item in items.WithCancellation(cancellationToken))
            {
                yield return item;
            }

            ok = true;
        }
        finally
        {
            metrics.Record(name, "list", ok, started);
        }
    }
}
