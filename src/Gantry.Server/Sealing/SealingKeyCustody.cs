using Gantry.Data.Sealing;
using Gantry.Sealing;
using Gantry.Sealing.Keys;
using Gantry.Sealing.Manifests;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Sealing;

/// <summary>What became of a request for a tenant's private key.</summary>
public enum PrivateKeyOutcome
{
    /// <summary>Here it is; this was the one download.</summary>
    Downloaded,

    /// <summary>It was downloaded before: Gantry no longer holds it (except in escrow).</summary>
    AlreadyDownloaded,

    /// <summary>The active key is a controller certificate or there is none: Gantry never had a private key.</summary>
    NoPrivateKey,
}

/// <summary>The answer to a private key request: the controller key Secret when <see cref="Outcome"/> is Downloaded.</summary>
public sealed record PrivateKeyDownload(PrivateKeyOutcome Outcome, SealingKeyRecord? Key, KubernetesSecret? Secret = null);

/// <summary>
/// Holds each tenant's sealing key: makes a tenant-key pair on first use (from <see cref="SealingKeyPool"/>), hands
/// its private key out once, rotates it, and records uploaded controller certificates. After the download only
/// the certificate stays (plus the escrowed copy when escrow is configured).
/// </summary>
public sealed class SealingKeyCustody(SealingKeyRepository keys, SealingKeyPool pool, IOptions<SealingOptions> options, TimeProvider time)
{
    private readonly SealingKeyEscrow? _escrow = options.Value.Escrow.CreateEscrow();

    public string Mode => options.Value.Custody;

    public bool EscrowEnabled => _escrow is not null;

    /// <summary>
    /// The tenant's active key. In tenant-key mode a first key pair is made when there is none; in controller-cert
    /// mode the answer is null until a certificate is uploaded. The tenant must exist.
    /// </summary>
    public async Task<SealingKeyRecord?> GetOrCreateActiveAsync(string tenant, CancellationToken cancellationToken)
    {
        var active = await keys.FindActiveAsync(tenant, cancellationToken);
        if (active is not null || Mode != SealingKeyModes.TenantKey)
        {
            return active;
        }

        var created = await NewTenantKeyAsync(tenant, cancellationToken);
        return await keys.TryInsertFirstAsync(created, cancellationToken)
            ? created
            : await keys.FindActiveAsync(tenant, cancellationToken); // a concurrent first use won; use its key
    }

    /// <summary>The private key of the active tenant key as the controller's key Secret, once.</summary>
    public async Task<PrivateKeyDownload> TakePrivateKeyAsync(string tenant, string @namespace, CancellationToken cancellationToken)
    {
        var active = await GetOrCreateActiveAsync(tenant, cancellationToken);
        if (active is null || active.Mode != SealingKeyModes.TenantKey)
        {
            return new PrivateKeyDownload(PrivateKeyOutcome.NoPrivateKey, active);
        }

        if (active.PrivateKey is null)
        {
            return new PrivateKeyDownload(PrivateKeyOutcome.AlreadyDownloaded, active);
        }

        // Open it before clearing it, so a key that cannot be read (escrow key missing) is not lost on the way.
        var pair = SealingKeyPair.FromParts(OpenPrivateKey(active.PrivateKey), SealingCertificate.ParseUnchecked(active.CertificatePem));
        if (await keys.TakePrivateKeyAsync(tenant, active.Id, time.GetUtcNow(), cancellationToken) is null)
        {
            return new PrivateKeyDownload(PrivateKeyOutcome.AlreadyDownloaded, active); // a concurrent download won
        }

        return new PrivateKeyDownload(PrivateKeyOutcome.Downloaded, active, pair.ToControllerKeySecret(SecretName(tenant, active.Id), @namespace));
    }

    /// <summary>
    /// Opens the escrowed copy of key <paramref name="keyId"/> (the active key when null) as the controller key Secret,
    /// for disaster recovery. Null when there is no such key or it has no escrowed copy.
    /// </summary>
    public async Task<(SealingKeyRecord Key, KubernetesSecret Secret)?> RecoverAsync(string tenant, string? keyId, string @namespace, CancellationToken cancellationToken)
    {
        var all = await keys.ListAsync(tenant, cancellationToken);
        var key = keyId is null ? all.FirstOrDefault(k => k.RetiredAt is null) : all.FirstOrDefault(k => k.Id == keyId);
        if (key?.EscrowedKey is null)
        {
            return null;
        }

        var escrow = _escrow ?? throw new SealingException("the key is escrowed, but Sealing:Escrow is not configured with its master key");
        var pair = SealingKeyPair.FromParts(escrow.Unprotect(key.EscrowedKey), SealingCertificate.ParseUnchecked(key.CertificatePem));
        return (key, pair.ToControllerKeySecret(SecretName(tenant, key.Id), @namespace));
    }

    /// <summary>Makes a new tenant key pair active and retires the current key (its certificate is kept).</summary>
    public async Task<(SealingKeyRecord Active, string? RetiredId)> RotateAsync(string tenant, CancellationToken cancellationToken)
    {
        var created = await NewTenantKeyAsync(tenant, cancellationToken);
        return (created, await keys.ReplaceActiveAsync(created, cancellationToken));
    }

    /// <summary>Makes <paramref name="certificate"/> (a controller's, already checked for expiry) the tenant's active key.</summary>
    public async Task<(SealingKeyRecord Active, string? RetiredId)> UseControllerCertificateAsync(
        string tenant, SealingCertificate certificate, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var record = new SealingKeyRecord
        {
            Id = NewId(now),
            Tenant = tenant,
            Mode = SealingKeyModes.ControllerCert,
            CertificatePem = certificate.Pem,
            NotAfter = certificate.NotAfter,
            CreatedAt = now,
        };
        return (record, await keys.ReplaceActiveAsync(record, cancellationToken));
    }

    /// <summary>The name of the controller key Secret handed out for key <paramref name="keyId"/>.</summary>
    public static string SecretName(string tenant, string keyId) => $"sealed-secrets-key-{tenant}-{keyId[^12..]}";

    private async Task<SealingKeyRecord> NewTenantKeyAsync(string tenant, CancellationToken cancellationToken)
    {
        // Usually ready at once; waits for the background generator only when several keys were taken in a row.
        var pair = await pool.TakeAsync(cancellationToken);
        var now = time.GetUtcNow();
        return new SealingKeyRecord
        {
            Id = NewId(now),
            Tenant = tenant,
            Mode = SealingKeyModes.TenantKey,
            CertificatePem = pair.Certificate.Pem,
            NotAfter = pair.Certificate.NotAfter,
            PrivateKey = _escrow?.Protect(pair.PrivateKey) ?? pair.PrivateKey.ExportPkcs1Pem(),
            EscrowedKey = _escrow?.Protect(pair.PrivateKey),
            CreatedAt = now,
        };
    }

    // Stored as PEM when it was made without escrow, else as an escrow blob.
    private SealingPrivateKey OpenPrivateKey(string stored) =>
        stored.StartsWith("-----BEGIN", StringComparison.Ordinal) ? SealingPrivateKeys.FromPem(stored)[0]
        : _escrow?.Unprotect(stored) ?? throw new SealingException(
            "the private key is held encrypted under an escrow master key, but Sealing:Escrow is not configured");

    private static string NewId(DateTimeOffset now) => Guid.CreateVersion7(now).ToString("N");
}
