using Gantry.Core.Identity;
using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Data.ChangeRequests;
using Gantry.Data.Tenants;
using Gantry.Server.Errors;
using Gantry.Server.Identity;

namespace Gantry.Server.ChangeRequests;

/// <summary>
/// Change requests: a proposed change waits until an administrator of its pool other than the requester approves
/// it, and is then applied by the handler of its kind. The rules live here, so every route that proposes or decides
/// follows them: who may propose follows the kind's own policy, only pool administrators (or platform
/// administrators) decide, nobody approves their own request, and a request is decided once.
/// </summary>
public sealed partial class ChangeRequestService
{
    public const int MaxSummaryLength = 200;
    public const int MaxCommentLength = 2000;

    private readonly ChangeRequestRepository _repository;
    private readonly TenantRepository _tenants;
    private readonly IAuthorizer _authorizer;
    private readonly TimeProvider _time;
    private readonly ILogger<ChangeRequestService> _logger;
    private readonly Dictionary<string, IChangeRequestHandler> _handlers = new(StringComparer.Ordinal);

    public ChangeRequestService(
        ChangeRequestRepository repository, TenantRepository tenants, IEnumerable<IChangeRequestHandler> handlers, IAuthorizer authorizer,
        TimeProvider time, ILogger<ChangeRequestService> logger)
    {
        _repository = repository;
        _tenants = tenants;
        _authorizer = authorizer;
        _time = time;
        _logger = logger;
        foreach (var handler in handlers)
        {
            if (!_handlers.TryAdd(handler.Kind, handler))
            {
                throw new InvalidOperationException($"Two change request handlers claim the kind '{handler.Kind}'.");
            }
        }
    }

    /// <summary>The kinds that have a handler, sorted.</summary>
    public IReadOnlyList<string> Kinds => [.. _handlers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Checks, authorizes and stores a proposal; the handler of its kind validates (and may normalize) it first.</summary>
    public async Task<ChangeRequestRecord> CreateAsync(ChangeRequestDraft draft, Principal requester, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(requester);
        var handler = CheckDraft(draft);
        var action = draft.Operation switch
        {
            ChangeRequestOperations.Create => ResourceAction.Create,
            ChangeRequestOperations.Update => ResourceAction.Update,
            _ => ResourceAction.Delete,
        };
        switch (_authorizer.Decide(requester, action, ResourceRef.InTenant(draft.Pool, handler.ResourceKind, draft.Target)))
        {
            case AccessDecision.NotFound:
                throw PoolNotFound(draft.Pool);
            case AccessDecision.Forbidden:
                throw new AccessRefusedException(AccessDecision.Forbidden,
                    $"Your role in pool '{draft.Pool}' does not allow proposing to {draft.Operation} a {draft.Kind}.");
        }

        if (await _tenants.FindAsync(draft.Pool, cancellationToken) is null)
        {
            throw PoolNotFound(draft.Pool);
        }

        var accepted = await handler.ValidateAsync(draft, requester, cancellationToken);
        var record = new ChangeRequestRecord
        {
            Id = Guid.CreateVersion7(_time.GetUtcNow()).ToString("N"),
            Kind = draft.Kind,
            Pool = draft.Pool,
            Target = draft.Target,
            Operation = draft.Operation,
            Payload = accepted.Payload?.ToJsonString(),
            Summary = CheckSummary(accepted.Summary) ?? $"{draft.Operation} {draft.Kind} {draft.Pool}/{draft.Target}",
            RequestedBy = requester.Id,
            RequestedByName = requester.Name,
            RequestedAt = _time.GetUtcNow(),
            Status = ChangeRequestStatuses.Open,
        };
        await _repository.InsertAsync(record, cancellationToken);
        Log.Created(_logger, record.Id, record.Kind, record.Pool, record.Target, requester.Name);
        return record;
    }

    /// <summary>The request, or null when it does not exist or the principal may not see it.</summary>
    public async Task<ChangeRequestRecord?> FindAsync(string id, Principal principal, CancellationToken cancellationToken)
    {
        var request = await _repository.FindAsync(id, cancellationToken);
        return request is not null && AccessPolicy.Allows(principal, ResourceAction.Read, ResourceRef.InTenant(request.Pool, ResourceKinds.ChangeRequest, id))
            ? request
            : null;
    }

    /// <summary>A page of the requests of the pools the principal may see (all of them for platform administrators).</summary>
    public Task<IReadOnlyList<ChangeRequestRecord>> ListAsync(Principal principal, ChangeRequestQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var visible = principal.IsPlatformAdmin
            ? null
            : principal.Memberships.Keys
                .Where(pool => AccessPolicy.Allows(principal, ResourceAction.Read, ResourceRef.InTenant(pool, ResourceKinds.ChangeRequest)))
                .ToList();
        return _repository.ListAsync(query with { VisiblePools = visible }, cancellationToken);
    }

    /// <summary>
    /// Approves an open request and applies it through its kind's handler. The answer is the request as recorded:
    /// <c>applied</c> with the revision, or <c>failed</c> with the problem.
    /// </summary>
    public async Task<ChangeRequestRecord> ApproveAsync(string id, Principal approver, string? comment, CancellationToken cancellationToken)
    {
        CheckComment(comment);
        var request = await FindAsync(id, approver, cancellationToken) ?? throw NotFound(id);
        if (_authorizer.Decide(approver, ResourceAction.Update, ResourceRef.InTenant(request.Pool, ResourceKinds.ChangeRequest, id)) != AccessDecision.Allowed)
        {
            throw new AccessRefusedException(AccessDecision.Forbidden, $"Approving a change request needs the admin role in pool '{request.Pool}'.");
        }

        EnsureOpen(request);
        if (string.Equals(request.RequestedBy, approver.Id, StringComparison.Ordinal))
        {
            throw new AccessRefusedException(AccessDecision.Forbidden,
                "A change request must be approved by someone other than its requester; ask another administrator of the pool.");
        }

        var approved = await DecideAsync(request, ChangeRequestStatuses.Approved, approver, comment, cancellationToken);

        // Once approved the change is applied to the end, even if the caller goes away: a request left "approved"
        // would need a person to find out what happened.
        ChangeRequestRecord outcome;
        if (_handlers.GetValueOrDefault(request.Kind) is not { } handler)
        {
            outcome = approved with { Status = ChangeRequestStatuses.Failed, Problem = $"No handler for change requests of kind '{request.Kind}' is installed." };
        }
        else
        {
            try
            {
                var revision = await handler.ApplyAsync(approved, approver, CancellationToken.None);
                outcome = approved with { Status = ChangeRequestStatuses.Applied, ResultRevision = revision };
                Log.Applied(_logger, id, revision ?? "-");
            }
            catch (Exception e)
            {
                outcome = approved with { Status = ChangeRequestStatuses.Failed, Problem = Describe(e) };
                Log.ApplyFailed(_logger, e, id, request.Kind);
            }
        }

        if (!await _repository.TryUpdateAsync(approved, outcome, CancellationToken.None))
        {
            throw new InvalidOperationException($"Change request {id} changed while it was being applied.");
        }

        return outcome with { Version = approved.Version + 1 };
    }

    /// <summary>Rejects an open request: a pool administrator decides, or its requester withdraws it.</summary>
    public async Task<ChangeRequestRecord> RejectAsync(string id, Principal principal, string? comment, CancellationToken cancellationToken)
    {
        CheckComment(comment);
        var request = await FindAsync(id, principal, cancellationToken) ?? throw NotFound(id);
        var isRequester = string.Equals(request.RequestedBy, principal.Id, StringComparison.Ordinal);
        if (!isRequester
            && _authorizer.Decide(principal, ResourceAction.Update, ResourceRef.InTenant(request.Pool, ResourceKinds.ChangeRequest, id)) != AccessDecision.Allowed)
        {
            throw new AccessRefusedException(AccessDecision.Forbidden,
                $"Rejecting a change request needs the admin role in pool '{request.Pool}' (its requester may withdraw it).");
        }

        EnsureOpen(request);
        return await DecideAsync(request, ChangeRequestStatuses.Rejected, principal, comment, cancellationToken);
    }

    private async Task<ChangeRequestRecord> DecideAsync(ChangeRequestRecord request, string status, Principal principal, string? comment, CancellationToken cancellationToken)
    {
        var decided = request with
        {
            Status = status,
            DecidedBy = principal.Id,
            DecidedByName = principal.Name,
            DecidedAt = _time.GetUtcNow(),
            DecisionComment = string.IsNullOrWhiteSpace(comment) ? null : comment,
        };

        // Of two people deciding at once, the one whose update lands first wins; the other is told who did.
        if (!await _repository.TryUpdateAsync(request, decided, cancellationToken))
        {
            var current = await _repository.FindAsync(request.Id, cancellationToken);
            throw new ChangeRequestDecidedException(request.Id, current?.Status ?? "gone");
        }

        Log.Decided(_logger, request.Id, status, principal.Name);
        return decided with { Version = request.Version + 1 };
    }

    private IChangeRequestHandler CheckDraft(ChangeRequestDraft draft)
    {
        var errors = new ValidationErrors();
        var handler = draft.Kind is null ? null : _handlers.GetValueOrDefault(draft.Kind);
        if (handler is null)
        {
            errors.Add("kind", _handlers.Count == 0
                ? "no kind of change request is installed"
                : $"must be one of: {string.Join(", ", Kinds)}");
        }

        ResourceName.Validate(draft.Pool, "pool", errors);
        ResourceName.Validate(draft.Target, "target", errors);
        if (!ChangeRequestOperations.All.Contains(draft.Operation, StringComparer.Ordinal))
        {
            errors.Add("operation", $"must be one of: {string.Join(", ", ChangeRequestOperations.All)}");
        }
        else if (draft.Operation != ChangeRequestOperations.Delete && draft.Payload is null)
        {
            errors.Add("payload", $"is required to {draft.Operation}");
        }

        if (draft.Summary is { } summary && CheckSummaryProblem(summary) is { } problem)
        {
            errors.Add("summary", problem);
        }

        errors.ThrowIfAny();
        return handler!;
    }

    private static string? CheckSummary(string? summary) =>
        summary is null ? null : CheckSummaryProblem(summary) is { } problem ? throw ValidationFailedException.For("summary", problem) : summary;

    private static string? CheckSummaryProblem(string summary) =>
        summary.Length > MaxSummaryLength || summary.Any(char.IsControl)
            ? $"must be one line of at most {MaxSummaryLength} characters"
            : null;

    private static void CheckComment(string? comment)
    {
        if (comment is not null && (comment.Length > MaxCommentLength || comment.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')))
        {
            throw ValidationFailedException.For("comment", $"must be at most {MaxCommentLength} characters of text");
        }
    }

    private static void EnsureOpen(ChangeRequestRecord request)
    {
        if (request.Status != ChangeRequestStatuses.Open)
        {
            throw new ChangeRequestDecidedException(request.Id, request.Status);
        }
    }

    /// <summary>What to record about a failed apply: Gantry's own errors say what to fix; anything else stays in the log.</summary>
    private static string Describe(Exception e) => e switch
    {
        ValidationFailedException invalid => "The change is no longer valid: "
            + string.Join("; ", invalid.Errors.Select(field => $"{field.Key}: {string.Join(", ", field.Value)}")),
        ChangeConflictException or StateStoreException or VersionNotResolvedException or AccessRefusedException or ChangeRequestDecidedException
            or Environments.EnvironmentConflictException or Environments.EnvironmentNotFoundException or Instances.OfferingMissingException
            or Instances.SealingKeyMissingException or Core.Versions.TagSourceException => e.Message,
        _ => "Applying the change failed unexpectedly; the server log has the details.",
    };

    private static AccessRefusedException NotFound(string id) =>
        new(AccessDecision.NotFound, $"Change request {id} does not exist.");

    private static AccessRefusedException PoolNotFound(string pool) =>
        new(AccessDecision.NotFound, $"Pool '{pool}' does not exist.");

    private static partial class Log
    {
        [LoggerMessage(EventId = 3801, Level = LogLevel.Information, Message = "Change request {Id} ({Kind} {Pool}/{Target}) opened by {Requester}")]
        public static partial void Created(ILogger logger, string id, string kind, string pool, string target, string requester);

        [LoggerMessage(EventId = 3802, Level = LogLevel.Information, Message = "Change request {Id} {Status} by {Decider}")]
        public static partial void Decided(ILogger logger, string id, string status, string decider);

        [LoggerMessage(EventId = 3803, Level = LogLevel.Information, Message = "Change request {Id} applied at revision {Revision}")]
        public static partial void Applied(ILogger logger, string id, string revision);

        [LoggerMessage(EventId = 3804, Level = LogLevel.Warning, Message = "Change request {Id} of kind {Kind} failed to apply")]
        public static partial void ApplyFailed(ILogger logger, Exception exception, string id, string kind);
    }
}
