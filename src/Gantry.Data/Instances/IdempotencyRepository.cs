using Dapper;

namespace Gantry.Data.Instances;

/// <summary>The remembered answer to a request sent with an <c>Idempotency-Key</c>.</summary>
public sealed record IdempotentResponse
{
    /// <summary>A hash of the request, so a key reused for a different request is caught.</summary>
    public required string RequestHash { get; init; }

    public required int StatusCode { get; init; }

    public required string ResponseBody { get; init; }

    public string? ETag { get; init; }
}

public sealed class IdempotencyRepository(IMetadataDatabase database)
{
    public async Task<IdempotentResponse?> FindAsync(string principalId, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<IdempotentResponse>(new CommandDefinition(
            """
            SELECT request_hash AS RequestHash, status_code AS StatusCode, response_body AS ResponseBody, etag AS ETag
            FROM idempotency_keys WHERE principal_id = @principalId AND idem_key = @key
            """,
            new { principalId, key }, cancellationToken: cancellationToken));
    }

    /// <summary>Remembers an answer; a concurrent first answer for the same key wins and is kept.</summary>
    public async Task SaveAsync(string principalId, string key, IdempotentResponse response, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO idempotency_keys (principal_id, idem_key, request_hash, status_code, response_body, etag, created_at)
            VALUES (@principalId, @key, @RequestHash, @StatusCode, @ResponseBody, @ETag, @now)
            ON CONFLICT (principal_id, idem_key) DO NOTHING
            """,
            new { principalId, key, response.RequestHash, response.StatusCode, response.ResponseBody, response.ETag, now },
            cancellationToken: cancellationToken));
    }

    /// <summary>Forgets answers older than <paramref name="before"/>; keys are meant for retries, not forever.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotency_keys WHERE created_at < @before", new { before }, cancellationToken: cancellationToken));
    }
}
