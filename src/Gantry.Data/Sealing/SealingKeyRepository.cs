using Dapper;

namespace Gantry.Data.Sealing;

/// <summary>The custody modes a sealing key row can have.</summary>
public static class SealingKeyModes
{
    /// <summary>Gantry generated the pair; the tenant downloads the private key once.</summary>
    public const string TenantKey = "tenant-key";

    /// <summary>The certificate of the tenant's own Sealed Secrets controller; Gantry never has the private key.</summary>
    public const string ControllerCert = "controller-cert";

    public static IReadOnlyList<string> All { get; } = [TenantKey, ControllerCert];
}

/// <summary>One sealing key of a tenant. <see cref="PrivateKey"/> is set only until the one download.</summary>
public sealed record SealingKeyRecord
{
    public required string Id { get; init; }

    public required string Tenant { get; init; }

    public required string Mode { get; init; }

    public required string CertificatePem { get; init; }

    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>The private key awaiting its download: escrow-encrypted when escrow is on, else a PKCS#1 PEM.</summary>
    public string? PrivateKey { get; init; }

    /// <summary>The private key encrypted under the escrow master key, kept for recovery; null without escrow.</summary>
    public string? EscrowedKey { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DownloadedAt { get; init; }

    public DateTimeOffset? RetiredAt { get; init; }
}

public sealed class SealingKeyRepository(IMetadataDatabase database)
{
    private const string Columns = """
        id AS Id, tenant AS Tenant, mode AS Mode, certificate_pem AS CertificatePem, not_after AS NotAfter,
        private_key AS PrivateKey, escrowed_key AS EscrowedKey, created_at AS CreatedAt, downloaded_at AS DownloadedAt,
        retired_at AS RetiredAt
        """;

    private const string Insert = """
        INSERT INTO sealing_keys (id, tenant, mode, certificate_pem, not_after, private_key, escrowed_key, created_at, downloaded_at, retired_at)
        VALUES (@Id, @Tenant, @Mode, @CertificatePem, @NotAfter, @PrivateKey, @EscrowedKey, @CreatedAt, @DownloadedAt, @RetiredAt)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>The tenant's active key, or null when it has none yet.</summary>
    public async Task<SealingKeyRecord?> FindActiveAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SealingKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM sealing_keys WHERE tenant = @tenant AND retired_at IS NULL", new { tenant }, cancellationToken: cancellationToken));
    }

    /// <summary>Every key the tenant has had, newest first.</summary>
    public async Task<IReadOnlyList<SealingKeyRecord>> ListAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<SealingKeyRecord>(new CommandDefinition(
            $"SELECT {Columns} FROM sealing_keys WHERE tenant = @tenant ORDER BY created_at DESC, id DESC", new { tenant }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Adds <paramref name="key"/> as the tenant's first active key; false when the tenant already has one (a concurrent first use).</summary>
    public async Task<bool> TryInsertFirstAsync(SealingKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(Insert, key, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Retires the tenant's active key (if any) and makes <paramref name="key"/> active, in one transaction.
    /// Answers the retired key's id, or null when there was none; throws <see cref="SealingKeyConflictException"/> when a concurrent change won.
    /// </summary>
    public async Task<string?> ReplaceActiveAsync(SealingKeyRecord key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var retired = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "UPDATE sealing_keys SET retired_at = @now WHERE tenant = @tenant AND retired_at IS NULL RETURNING id",
            new { tenant = key.Tenant, now = key.CreatedAt }, transaction, cancellationToken: cancellationToken));
        if (await connection.ExecuteAsync(new CommandDefinition(Insert, key, transaction, cancellationToken: cancellationToken)) != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            throw new SealingKeyConflictException($"the sealing key of tenant '{key.Tenant}' changed concurrently; try again");
        }

        await transaction.CommitAsync(cancellationToken);
        return retired;
    }

    /// <summary>
    /// Takes the private key of key <paramref name="id"/> out of the database: answers it and clears it, once.
    /// Null when it was already taken (or never held); of concurrent callers exactly one gets it.
    /// </summary>
    public async Task<string?> TakePrivateKeyAsync(string tenant, string id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenForWriteAsync(cancellationToken);
        if (database.Provider == DatabaseProviders.Sqlite)
        {
            // Zero the freed space, so the key does not linger in free pages of the file.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA secure_delete = ON", cancellationToken: cancellationToken));
        }

        string? privateKey;
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            // Claim first: the write takes the lock (SQLite's writer lock, PostgreSQL's row lock) before anything is
            // read, so a concurrent download waits and then finds downloaded_at set, instead of failing on a stale read.
            var claimed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE sealing_keys SET downloaded_at = @now WHERE tenant = @tenant AND id = @id AND downloaded_at IS NULL AND private_key IS NOT NULL",
                new { tenant, id, now }, transaction, cancellationToken: cancellationToken));
            if (claimed != 1)
            {
                await transaction.RollbackAsync(cancellationToken);
                return null;
            }

            privateKey = await connection.QuerySingleAsync<string>(new CommandDefinition(
                "SELECT private_key FROM sealing_keys WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE sealing_keys SET private_key = NULL WHERE id = @id", new { id }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }

        if (database.Provider == DatabaseProviders.Sqlite)
        {
            // The write-ahead log still holds the page as it was when the key was stored: fold it back and empty it.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken: CancellationToken.None));
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA secure_delete = OFF", cancellationToken: CancellationToken.None));
        }

        return privateKey;
    }
}

/// <summary>Two changes of a tenant's active sealing key raced; the loser may retry.</summary>
public sealed class SealingKeyConflictException(string message) : Exception(message);
