using System.Collections.Concurrent;

namespace Gantry.Testing.Engines;

// Reconciling: one at a time, from the branch head, reporting each object whose generation changed.
public sealed partial class TestGitOpsEngine
{
    private readonly SemaphoreSlim _reconcileGate = new(1, 1);
    private readonly ConcurrentDictionary<(string Tenant, string Instance), EngineOutcome> _outcomes = new();
    private readonly Lock _backgroundLock = new();
    private readonly List<Task> _background = [];

    // Touched only under _reconcileGate.
    private readonly Dictionary<string, (string Oid, DesiredObject? Object)> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Namespace, string Name), TrackedObject> _tracked = [];
    private string? _head;
    private long _resourceVersion;
    private int _scheduled;

    /// <summary>The last error a background reconcile ended with (Git unreadable, …); null when all went well.</summary>
    public Exception? LastReconcileError { get; private set; }

    /// <summary>
    /// What the engine reports for <paramref name="instance"/> of <paramref name="tenant"/> after the progress event of
    /// each change from now on, until set again (<see cref="EngineOutcome.Succeeded"/> restores the default).
    /// </summary>
    public void SetOutcome(string tenant, string instance, EngineOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        _outcomes[(tenant, instance)] = outcome;
    }

    /// <summary>
    /// Reconciles now, as the engine's poll interval would, and returns when every event is posted (after a reconcile
    /// already running). Gantry's refusals are recorded in <see cref="Deliveries"/>, not thrown; Git errors are thrown.
    /// </summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken = default)
    {
        await _reconcileGate.WaitAsync(cancellationToken);
        try
        {
            await ReconcileOnceAsync(cancellationToken);
        }
        finally
        {
            _reconcileGate.Release();
        }
    }

    /// <summary>Waits until no reconcile is running or scheduled (one a notification or the poll started).</summary>
    public async Task WaitForIdleAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (BackgroundTasks() is { Length: > 0 } running)
        {
            try
            {
                await Task.WhenAll(running).WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"the {Engine} engine was still reconciling after {timeout}");
            }
        }
    }

    // A notification during a reconcile schedules exactly one more; further ones before it starts join it, as a
    // controller's work queue collapses repeated requests for the same key.
    private void ScheduleReconcile()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 1)
        {
            return;
        }

        var task = Task.Run(async () =>
        {
            var token = _stopping.Token;
            await _reconcileGate.WaitAsync(token);
            try
            {
                Volatile.Write(ref _scheduled, 0);
                await ReconcileOnceAsync(token);
                LastReconcileError = null;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
            {
                LastReconcileError = e;
            }
            finally
            {
                _reconcileGate.Release();
            }
        });
        lock (_backgroundLock)
        {
            _background.Add(task);
        }

        _ = task.ContinueWith(
            t =>
            {
                lock (_backgroundLock)
                {
                    _background.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private Task[] BackgroundTasks()
    {
        lock (_backgroundLock)
        {
            return [.. _background];
        }
    }

    private async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        var head = await _git.HeadAsync(cancellationToken);
        if (head == _head)
        {
            return; // nothing new in Git: no object's generation can have changed
        }

        await ReadChangedFilesAsync(head, cancellationToken);
        _head = head;

        var current = new Dictionary<(string, string), DesiredObject>();
        foreach (var (_, (_, desired)) in _files)
        {
            if (desired is not null)
            {
                current[desired.Key] = desired;
            }
        }

        // Deleted from Git: pruned from the cluster and forgotten, so a later re-add is an install again.
        foreach (var key in _tracked.Keys.Where(k => !current.ContainsKey(k)).ToList())
        {
            _tracked.Remove(key);
        }

        var changes = new List<Change>();
        foreach (var (key, desired) in current)
        {
            var first = !_tracked.TryGetValue(key, out var tracked);
            if (!first && tracked!.Generation == desired.Generation)
            {
                continue;
            }

            tracked ??= new TrackedObject(Guid.NewGuid().ToString());
            tracked.Generation = desired.Generation;
            tracked.HelmRevision++;
            _tracked[key] = tracked;
            var outcome = _outcomes.GetValueOrDefault((desired.Tenant, desired.Instance)) ?? EngineOutcome.Succeeded;
            changes.Add(new Change(desired, first, tracked.Uid, tracked.HelmRevision, outcome));
        }

        await Parallel.ForEachAsync(
            changes,
            new ParallelOptions { MaxDegreeOfParallelism = _options.PostConcurrency, CancellationToken = cancellationToken },
            async (change, token) => await ReportAsync(change, token));
    }

    private async Task ReadChangedFilesAsync(string? head, CancellationToken cancellationToken)
    {
        IReadOnlyList<(string Path, string? Oid)> changed;
        if (head is null)
        {
            changed = [.. _files.Keys.Select(p => (p, (string?)null))];
        }
        else if (_head is null)
        {
            var listed = await _git.ListAsync(head, cancellationToken);
            changed = [.. listed.Select(f => (f.Path, (string?)f.Oid))];
        }
        else
        {
            changed = await _git.DiffAsync(_head, head, cancellationToken);
        }

        var toRead = new List<(string Path, string Oid, string Tenant, string Instance)>();
        foreach (var (path, oid) in changed)
        {
            if (DesiredObject.Match(Engine, path) is not { } names)
            {
                continue;
            }

            if (oid is null)
            {
                _files.Remove(path);
            }
            else if (!_files.TryGetValue(path, out var known) || known.Oid != oid)
            {
                toRead.Add((path, oid, names.Tenant, names.Instance));
            }
        }

        var texts = await _git.ReadAsync([.. toRead.Select(f => f.Oid).Distinct()], cancellationToken);
        foreach (var (path, oid, tenant, instance) in toRead)
        {
            _files[path] = (oid, texts.TryGetValue(oid, out var text) ? DesiredObject.Read(Engine, text, tenant, instance) : null);
        }
    }

    private sealed class TrackedObject(string uid)
    {
        public string Uid { get; } = uid;

        public string? Generation { get; set; }

        /// <summary>Helm's release revision: 1 at install, one up per upgrade.</summary>
        public int HelmRevision { get; set; }
    }

    private sealed record Change(DesiredObject Object, bool First, string Uid, int HelmRevision, EngineOutcome Outcome);
}
