using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gantry.Data.Rollouts;

namespace Gantry.Server.Rollouts;

/// <summary>
/// Reads and writes rollout documents, and serializes every change to one rollout in this process (the runner's
/// steps and the pause/resume/abort/rollback calls); across replicas, a write based on an older version of the row is
/// refused, so no update of a document is lost.
/// </summary>
public sealed class RolloutStore(RolloutRepository repository, TimeProvider time)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<Rollout?> FindAsync(string id, CancellationToken cancellationToken) =>
        await repository.FindAsync(id, cancellationToken) is { } record ? Read(record) : null;

    public async Task<IReadOnlyList<Rollout>> ListAsync(string? tenant, bool allTenants, int limit, CancellationToken cancellationToken) =>
        [.. (await repository.ListAsync(tenant, allTenants, limit, cancellationToken)).Select(Read)];

    public Task<IReadOnlyList<string>> ActiveIdsAsync(CancellationToken cancellationToken) =>
        repository.ListIdsInStateAsync(RolloutStates.Running, RolloutStates.RollingBack, cancellationToken);

    public Task InsertAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        rollout.UpdatedAt = time.GetUtcNow();
        return repository.InsertAsync(Record(rollout, version: 0), cancellationToken);
    }

    /// <summary>Runs <paramref name="change"/> on the rollout's current document under its lock, and saves it when it returns true.</summary>
    public async Task<Rollout?> ChangeAsync(string id, Func<Rollout, Task<bool>> change, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (await repository.FindAsync(id, cancellationToken) is not { } record)
            {
                return null;
            }

            var rollout = Read(record);
            if (await change(rollout))
            {
                rollout.UpdatedAt = time.GetUtcNow();
                if (!await repository.UpdateAsync(Record(rollout, record.Version), cancellationToken))
                {
                    throw new RolloutStateException(rollout.State, $"Rollout {id} was changed by another Gantry replica at the same moment; read it again and retry.");
                }
            }

            return rollout;
        }
        finally
        {
            gate.Release();
        }
    }

    private static RolloutRecord Record(Rollout rollout, long version) => new()
    {
        Id = rollout.Id,
        Offering = rollout.Offering,
        Tenant = rollout.Tenant,
        State = rollout.State,
        Document = JsonSerializer.Serialize(rollout, Json),
        StartedBy = rollout.StartedBy.Id,
        Version = version,
        CreatedAt = rollout.CreatedAt,
        UpdatedAt = rollout.UpdatedAt,
    };

    private static Rollout Read(RolloutRecord record) =>
        JsonSerializer.Deserialize<Rollout>(record.Document, Json) ?? throw new InvalidOperationException($"Rollout {record.Id} has an empty document.");
}
