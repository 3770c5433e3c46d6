using Gantry.Core.Identity;
using Gantry.Data.Identity;

namespace Gantry.Server.Audit;

/// <summary>What was audited. Names are stable: they are what operators filter on.</summary>
public static class AuditActions
{
    public const string Login = "auth.login";
    public const string Refresh = "auth.refresh";
    public const string Revoke = "auth.revoke";
    public const string SigningKeyRotated = "auth.signing-key.rotate";
    public const string ExternalUserRecorded = "auth.external-user.create";
    public const string TenantCreated = "tenant.create";
    public const string TenantUpdated = "tenant.update";
    public const string TenantDeleted = "tenant.delete";
    public const string MemberSet = "tenant.member.set";
    public const string MemberRemoved = "tenant.member.remove";
    public const string UserCreated = "user.create";
    public const string UserUpdated = "user.update";
    public const string UserDeleted = "user.delete";
    public const string ApiKeyCreated = "api-key.create";
    public const string ApiKeyRevoked = "api-key.revoke";
    public const string SealingKeyDownloaded = "sealing-key.private-key.download";
    public const string SealingKeyRotated = "sealing-key.rotate";
    public const string SealingKeyRecovered = "sealing-key.escrow.recover";
    public const string SealingKeyCertificateUploaded = "sealing-key.controller-cert.upload";
    public const string ChangeRequestCreated = "change-request.create";
    public const string ChangeRequestApproved = "change-request.approve";
    public const string ChangeRequestRejected = "change-request.reject";
}

public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
}

/// <summary>
/// Records who did what, when and from where. Details never hold a secret: callers pass names and ids only.
/// </summary>
public sealed partial class AuditLog(AuditRepository repository, TimeProvider time, ILogger<AuditLog> logger)
{
    /// <summary>The actor id and name of events Gantry causes itself.</summary>
    public const string SystemActor = "gantry";

    public const string SystemActorKind = "System";

    public Task RecordAsync(HttpContext context, Principal actor, string action, string? tenant = null, string? target = null, string? detail = null) =>
        RecordEventAsync(context, actor.Id, actor.Name, actor.Kind.ToString(), action, AuditOutcomes.Success, tenant, target, detail);

    /// <summary>Records an event whose actor is not (or not yet) an authenticated principal, such as a login attempt.</summary>
    public Task RecordEventAsync(
        HttpContext context, string? actorId, string? actorName, string? actorKind, string action, string outcome,
        string? tenant = null, string? target = null, string? detail = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        return InsertAsync(context.Connection.RemoteIpAddress?.ToString(), actorId, actorName, actorKind, action, outcome, tenant, target, detail);
    }

    /// <summary>Records what Gantry did on its own (a background job such as expiry): the actor is Gantry, with no client.</summary>
    public Task RecordSystemAsync(string action, string? tenant = null, string? target = null, string? detail = null) =>
        InsertAsync(null, SystemActor, SystemActor, SystemActorKind, action, AuditOutcomes.Success, tenant, target, detail);

    /// <summary>Records what Gantry did in a principal's name outside a request (a rollout's wave, made by its starter).</summary>
    public Task RecordOnBehalfAsync(string actorId, string actorName, string actorKind, string action, string? tenant = null, string? target = null, string? detail = null) =>
        InsertAsync(null, actorId, actorName, actorKind, action, AuditOutcomes.Success, tenant, target, detail);

    /// <summary>Records a change that came without a principal, by what made it (a bucket object's key, with its kind).</summary>
    public Task RecordOriginAsync(string origin, string originKind, string action, string? tenant = null, string? target = null, string? detail = null) =>
        InsertAsync(null, origin, origin, originKind, action, AuditOutcomes.Success, tenant, target, detail);

    private async Task InsertAsync(
        string? clientIp, string? actorId, string? actorName, string? actorKind, string action, string outcome, string? tenant, string? target, string? detail)
    {
        await repository.InsertAsync(new AuditEventRecord
        {
            OccurredAt = time.GetUtcNow(),
            ActorId = actorId,
            ActorName = actorName,
            ActorKind = actorKind,
            Action = action,
            Outcome = outcome,
            Tenant = tenant,
            Target = target,
            ClientIp = clientIp,
            Detail = detail,
        }, CancellationToken.None);
        Log.Audited(logger, action, outcome, actorName ?? "-", tenant ?? "-", target ?? "-", clientIp ?? "-");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3501, Level = LogLevel.Information,
            Message = "Audit {Action} {Outcome} by {Actor} on {Tenant}/{Target} from {ClientIp}")]
        public static partial void Audited(ILogger logger, string action, string outcome, string actor, string tenant, string target, string clientIp);
    }
}
