using System.Data.Common;
using System.Threading.Channels;

namespace Gantry.Data;

/// <summary>
/// Group commit for SQLite's small independent writes (an index row, an audit event): the writes that queue up while
/// one transaction commits go together into the next. SQLite has one writer at a time, and a transaction's fixed cost
/// (locks, the write-ahead log's frame headers, the pooled connection's round trip) was paid once per row; under load
/// it is now paid once per group. A write's task completes only once its group is committed, so callers see what they
/// saw before: their row stored, or an exception and nothing of theirs stored. When one write fails, the group is
/// rolled back and the others run again without it: a write must only issue commands on the connection it is given,
/// as it may run more than once.
/// </summary>
internal sealed class SqliteGroupCommit : IDisposable
{
    /// <summary>Most writes in one transaction: bounds how long the write lock is held.</summary>
    private const int MaxGroup = 256;

    private readonly Channel<Write> _queue = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<CancellationToken, Task<DbConnection>> _openForWrite;
    private readonly Task _loop;

    public SqliteGroupCommit(Func<CancellationToken, Task<DbConnection>> openForWrite)
    {
        _openForWrite = openForWrite;
        _loop = Task.Run(RunAsync);
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var write = new Write(work, cancellationToken);
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(write), this);
        return write.Done.Task;
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(30));
    }

    private async Task RunAsync()
    {
        var group = new List<Write>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var write))
            {
                if (write.Cancellation.IsCancellationRequested)
                {
                    write.Done.TrySetCanceled(write.Cancellation);
                }
                else
                {
                    group.Add(write);
                }
            }

            if (group.Count > 0)
            {
                await CommitAsync(group);
                group.Clear();
            }
        }
    }

    private async Task CommitAsync(List<Write> group)
    {
        while (group.Count > 0)
        {
            Write? failed = null;
            Exception? failure = null;
            try
            {
                await using var connection = await _openForWrite(CancellationToken.None);
                await using var transaction = await connection.BeginTransactionAsync();
                foreach (var write in group)
                {
                    try
                    {
                        await write.Work(connection, transaction, write.Cancellation);
                    }
                    catch (Exception e)
                    {
                        (failed, failure) = (write, e);
                        break;
                    }
                }

                if (failed is null)
                {
                    await transaction.CommitAsync();
                    foreach (var write in group)
                    {
                        write.Done.TrySetResult();
                    }

                    return;
                }
            }
            catch (Exception e)
            {
                // No transaction, or its commit failed: nothing of the group is stored.
                foreach (var write in group)
                {
                    write.Done.TrySetException(e);
                }

                return;
            }

            // One write failed (a constraint, its caller's cancellation): the transaction was rolled back when it was
            // disposed above. That write's caller gets its exception; the others go again without it. Failures are
            // rare, so this is cheaper than a savepoint around every write.
            failed.Done.TrySetException(failure!);
            group.Remove(failed);
        }
    }

    // A class, not a record: a write is known by its identity (the group removes the one that failed), never by value.
    private sealed class Write(Func<DbConnection, DbTransaction, CancellationToken, Task> work, CancellationToken cancellation)
    {
        public Func<DbConnection, DbTransaction, CancellationToken, Task> Work { get; } = work;

        public CancellationToken Cancellation { get; } = cancellation;

        // Callers continue on their own threads, not on the writer's.
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
