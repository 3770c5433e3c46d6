using System.Text.Json.Nodes;
using Gantry.Core.Environments;
using Gantry.Core.Identity;
using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Data.ChangeRequests;
using Gantry.Data.Environments;

namespace Gantry.Server.Environments;

/// <summary>
/// Static environments: stored in Git, never changed directly. Creating, changing or removing one is a change
/// request (kind <c>environment</c>) that an administrator of the pool other than the requester approves; approval
/// commits the claim and its manifests.
/// </summary>
public sealed partial class EnvironmentManager
{
    public const string ChangeRequestKind = "environment";
    public const string ChangeRequestsLink = "/api/v1/change-requests";

    /// <summary>True when the environment lives in Git and changes only through change requests.</summary>
    public static bool IsStatic(EnvironmentRecord record) =>
        string.Equals(record?.DeploymentMethod, DeploymentMethods.Git, StringComparison.Ordinal);

    /// <summary>True when a planned claim must go through approval: stored in Git, or of a type that requires approval.</summary>
    public bool NeedsApproval(EnvironmentClaim claim) =>
        string.Equals(claim?.DeploymentMethod, DeploymentMethods.Git, StringComparison.Ordinal)
        || Policies.Type(claim?.EnvironmentType)?.RequiresApproval == true;

    /// <summary>
    /// Checks a proposal as it would be applied now and returns the claim to store in the request (planned and
    /// resolved; null for a delete). The requester of a create becomes the claim's <c>user</c>.
    /// </summary>
    public async Task<EnvironmentClaim?> ProposeAsync(string operation, string pool, string name, JsonNode? payload, Principal requester, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requester);
        var existing = await index.FindAsync(name, cancellationToken);
        if (operation == ChangeRequestOperations.Create)
        {
            await names.EnsureFreeAsync(name, pool, exceptRequest: null, cancellationToken);

            var planned = await PlanNewAsync(requester, ClaimOf(payload, pool, name), cancellationToken);
            return NeedsApproval(planned)
                ? planned
                : throw ValidationFailedException.For("payload.deployment_method",
                    $"a {planned.EnvironmentType} environment stored in the bucket is created directly (POST /api/v1/environments), not through a change request");
        }

        if (existing is null || existing.Pool != pool || !IsStatic(existing))
        {
            throw ValidationFailedException.For("target", $"there is no static (git) environment '{name}' in pool '{pool}'");
        }

        if (operation == ChangeRequestOperations.Delete)
        {
            return null;
        }

        var current = await GetAsync(existing, cancellationToken) ?? throw new EnvironmentNotFoundException(name);
        var proposed = ClaimOf(payload, pool, name);
        var errors = new ValidationErrors();
        if (proposed.EnvironmentType != current.Claim.EnvironmentType)
        {
            errors.Add("payload.environment_type", "cannot change; create a new environment instead");
        }

        var completed = proposed with
        {
            User = current.Claim.User,
            CreationDate = current.Claim.CreationDate,
            ExpirationDate = proposed.ExpirationDate ?? current.Claim.ExpirationDate,
            DeploymentMethod = DeploymentMethods.Git,
            Services = [.. proposed.Services.Where(s => !s.Implicit).Select(s => s with { ResolvedVersion = null })],
        };
        return await ValidateAndResolveAsync(completed, time.GetUtcNow(), errors, cancellationToken);
    }

    /// <summary>
    /// Applies an approved request: commits the claim and manifests (or removes the folder) in one commit authored
    /// by the requester, and indexes it. The claim is checked again (the world may have moved) but keeps the
    /// versions that were approved. Returns the commit's revision.
    /// </summary>
    public async Task<string> ApplyApprovedAsync(ChangeRequestRecord request, Principal approver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(approver);
        var author = new ChangeAuthor(request.RequestedByName, $"{request.RequestedBy}@user.gantry.invalid");
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var existing = await index.FindAsync(request.Target, cancellationToken);
            if (request.Operation == ChangeRequestOperations.Delete)
            {
                if (existing is null || !IsStatic(existing))
                {
                    throw new EnvironmentNotFoundException(request.Target);
                }

                var removed = await git.DeleteAsync(existing.Pool, existing.Name, author,
                    $"Delete environment {existing.Pool}/{existing.Name}\n\nChange request {request.Id}, approved by {approver.Name}.", cancellationToken);
                await index.DeleteAsync(existing.Name, cancellationToken);
                return removed;
            }

            if (request.Operation == ChangeRequestOperations.Create && existing is not null)
            {
                throw new EnvironmentConflictException($"{EnvironmentNames.TakenMessage} It was taken while the request waited; propose the environment again under another name.");
            }

            if (request.Operation == ChangeRequestOperations.Update && (existing is null || !IsStatic(existing)))
            {
                throw new EnvironmentNotFoundException(request.Target);
            }

            // A request made before node pools has none in its payload: the catalog's pools are filled in.
            var claim = EnvironmentPlanner.WithNodePools(EnvironmentJson.Parse(System.Text.Encoding.UTF8.GetBytes(request.Payload ?? "null")), services.Catalog);
            var errors = new ValidationErrors();
            EnvironmentValidator.Validate(claim, Policies, services.Catalog, time.GetUtcNow(), errors);
            EnvironmentValidator.ValidateNodePools(claim, Policies, errors);
            errors.ThrowIfAny();
            var json = EnvironmentJson.Serialize(claim);
            var operation = request.Operation == ChangeRequestOperations.Create ? "Create" : "Update";
            var revision = await git.WriteAsync(claim, json, EnvironmentRenderer.Render(claim, services.Catalog, Policies), author,
                GitEnvironmentStore.Message(operation, claim, request.Id, approver.Name), cancellationToken);
            await index.UpsertAsync(RecordOf(claim, json, time.GetUtcNow()) with { Revision = revision }, cancellationToken);
            return revision;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static EnvironmentClaim ClaimOf(JsonNode? payload, string pool, string name)
    {
        if (payload is not JsonObject)
        {
            throw ValidationFailedException.For("payload", "is the environment claim (a JSON object)");
        }

        var claim = EnvironmentJson.Parse(System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var errors = new ValidationErrors();
        if (claim.EnvironmentName != name)
        {
            errors.Add("payload.environment_name", $"must be the request's target '{name}'");
        }

        if (claim.EnvironmentPool != pool)
        {
            errors.Add("payload.environment_pool", $"must be the request's pool '{pool}'");
        }

        errors.ThrowIfAny();
        return claim;
    }

    private static void RefuseIfStatic(EnvironmentRecord record, string operation)
    {
        if (IsStatic(record))
        {
            throw new EnvironmentConflictException(
                $"'{record.Name}' is a static environment: it lives in Git and changes only through an approved change request. "
                + $"POST {ChangeRequestsLink} with {{\"kind\": \"{ChangeRequestKind}\", \"pool\": \"{record.Pool}\", \"target\": \"{record.Name}\", "
                + $"\"operation\": \"{operation}\"{(operation == ChangeRequestOperations.Delete ? string.Empty : ", \"payload\": <the new claim>")}}}; "
                + "an administrator of the pool other than you approves it.",
                ChangeRequestsLink);
        }
    }
}
