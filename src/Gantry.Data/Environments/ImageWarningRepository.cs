using Dapper;

namespace Gantry.Data.Environments;

/// <summary>
/// The images the <c>-local</c> retention sweep deleted while an environment's service still pointed at them
/// (migration 10): the environment cannot pull them any more until the developer deploys again.
/// </summary>
public sealed class ImageWarningRepository(IMetadataDatabase database)
{
    /// <summary>Records that <paramref name="service"/> of <paramref name="environment"/> points at a deleted <paramref name="reference"/>; once.</summary>
    public async Task AddAsync(string environment, string service, string reference, DateTimeOffset deletedAt, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO environment_image_warnings (environment, service, reference, deleted_at)
            VALUES (@environment, @service, @reference, @deletedAt)
            ON CONFLICT (environment, service, reference) DO NOTHING
            """,
            new { environment, service, reference, deletedAt }, cancellationToken: cancellationToken));
    }

    /// <summary>Forgets a warning: the registry holds the manifest again (the same build was pushed anew).</summary>
    public async Task RemoveAsync(string environment, string service, string reference, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM environment_image_warnings WHERE environment = @environment AND service = @service AND reference = @reference",
            new { environment, service, reference }, cancellationToken: cancellationToken));
    }

    /// <summary>The environment's warnings, by service; the caller keeps those its services still point at.</summary>
    public async Task<IReadOnlyList<ImageWarning>> ListAsync(string environment, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ImageWarning>(new CommandDefinition(
            """
            SELECT service AS Service, reference AS Reference, deleted_at AS DeletedAt
            FROM environment_image_warnings WHERE environment = @environment ORDER BY service, reference
            """,
            new { environment }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}

/// <summary>A service's image or artifact (<c>host/repository@digest</c>) that was deleted from the registry.</summary>
public sealed record ImageWarning
{
    public required string Service { get; init; }

    public required string Reference { get; init; }

    public DateTimeOffset DeletedAt { get; init; }
}
