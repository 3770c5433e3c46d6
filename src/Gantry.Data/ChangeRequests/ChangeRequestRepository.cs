using Dapper;

namespace Gantry.Data.ChangeRequests;

public sealed class ChangeRequestRepository(IMetadataDatabase database)
{
    private const string Columns = """
        id AS Id, kind AS Kind, pool AS Pool, target AS Target, operation AS Operation, payload AS Payload, summary AS Summary,
        requested_by AS RequestedBy, requested_by_name AS RequestedByName, requested_at AS RequestedAt, status AS Status,
        decided_by AS DecidedBy, decided_by_name AS DecidedByName, decided_at AS DecidedAt, decision_comment AS DecisionComment,
        result_revision AS ResultRevision, problem AS Problem, version AS Version
        """;

    public async Task InsertAsync(ChangeRequestRecord request, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO change_requests (id, kind, pool, target, operation, payload, summary, requested_by, requested_by_name, requested_at,
                                         status, decided_by, decided_by_name, decided_at, decision_comment, result_revision, problem, version)
            VALUES (@Id, @Kind, @Pool, @Target, @Operation, @Payload, @Summary, @RequestedBy, @RequestedByName, @RequestedAt,
                    @Status, @DecidedBy, @DecidedByName, @DecidedAt, @DecisionComment, @ResultRevision, @Problem, @Version)
            """,
            request, cancellationToken: cancellationToken));
    }

    public async Task<ChangeRequestRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ChangeRequestRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM change_requests WHERE id = @id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>A page of requests, newest first; every filter is a parameter, the visible pools included.</summary>
    public async Task<IReadOnlyList<ChangeRequestRecord>> ListAsync(ChangeRequestQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.VisiblePools is { Count: 0 })
        {
            return [];
        }

        // Dapper expands a list into "IN (@p1, @p2, ...)" for SQLite but passes it to Npgsql as one array parameter.
        var inVisiblePools = database.Provider == DatabaseProviders.PostgreSql ? "pool = ANY(@visiblePools)" : "pool IN @visiblePools";
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ChangeRequestRecord>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM change_requests
            WHERE (@allPools OR {inVisiblePools})
              AND (@pool IS NULL OR pool = @pool)
              AND (@status IS NULL OR status = @status)
              AND (@kind IS NULL OR kind = @kind)
              AND (@target IS NULL OR target = @target)
              AND (@before IS NULL OR id < @before)
            ORDER BY id DESC
            LIMIT @limit
            """,
            new
            {
                allPools = query.VisiblePools is null,
                visiblePools = query.VisiblePools?.ToArray() ?? [],
                pool = query.Pool,
                status = query.Status,
                kind = query.Kind,
                target = query.Target,
                before = query.Before,
                limit = query.Limit,
            },
            cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>
    /// Writes <paramref name="updated"/> if the row is still at <paramref name="expected"/>'s version and status; the
    /// stored version becomes one higher. False when another update came first (nothing is written).
    /// </summary>
    public async Task<bool> TryUpdateAsync(ChangeRequestRecord expected, ChangeRequestRecord updated, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(updated);
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE change_requests SET
                status = @Status, decided_by = @DecidedBy, decided_by_name = @DecidedByName, decided_at = @DecidedAt,
                decision_comment = @DecisionComment, result_revision = @ResultRevision, problem = @Problem, version = version + 1
            WHERE id = @Id AND version = @expectedVersion AND status = @expectedStatus
            """,
            new
            {
                updated.Id,
                updated.Status,
                updated.DecidedBy,
                updated.DecidedByName,
                updated.DecidedAt,
                updated.DecisionComment,
                updated.ResultRevision,
                updated.Problem,
                expectedVersion = expected.Version,
                expectedStatus = expected.Status,
            },
            cancellationToken: cancellationToken));
        return changed == 1;
    }
}
