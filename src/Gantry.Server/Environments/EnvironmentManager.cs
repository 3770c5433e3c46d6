using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Core.Environments;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Core.Versions;
using Gantry.Data.Environments;
using Gantry.Data.Tenants;
using Gantry.Core.State;
using Gantry.Data.ChangeRequests;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Environments;

/// <summary>A stored claim with its index row (revision = ETag).</summary>
public sealed record EnvironmentState(EnvironmentClaim Claim, byte[] Json, EnvironmentRecord Record);

/// <summary>
/// Environments: plan (the principal, dates, type defaults, dependency closure), validate against the type policy
/// and the service catalog, resolve versions, render, write to the environments bucket, index. Writes are serialized
/// in the process (names are unique platform-wide, so a create must see every other create).
/// </summary>
public sealed partial class EnvironmentManager(
    BucketEnvironmentStore bucket,
    GitEnvironmentStore git,
    EnvironmentRepository index,
    EnvironmentNames names,
    TenantRepository tenants,
    ServiceCatalogProvider services,
    ITagSource tags,
    IOptions<EnvironmentOptions> options,
    TimeProvider time,
    ILogger<EnvironmentManager> logger) : IDisposable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public EnvironmentPolicies Policies { get; } = options.Value.ToPolicies();

    /// <summary>The fields a PATCH may change: the services (a JSON merge patch of the map) and the deploy scope.</summary>
    public static IReadOnlyList<string> PatchableFields { get; } = ["services", "deploy_only_specified"];

    public Task<EnvironmentRecord?> FindAsync(string name, CancellationToken cancellationToken) => index.FindAsync(name, cancellationToken);

    public async Task<EnvironmentState?> GetAsync(EnvironmentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var isStatic = IsStatic(record);
        var json = isStatic
            ? await git.ReadAsync(record.Pool, record.Name, cancellationToken)
            : await bucket.ReadAsync(record.Pool, record.Name, cancellationToken);
        if (json is null)
        {
            return null;
        }

        var where = isStatic ? EnvironmentLayout.GitClaim(record.Pool, record.Name) : EnvironmentLayout.BucketClaim(record.Pool, record.Name);
        var problem = ReadStored(json, where, out var claim);
        if (problem is not null && !isStatic && await bucket.ReadAcceptedAsync(record.Pool, record.Name, cancellationToken) is { } accepted
            && ReadStored(accepted, where, out var acceptedClaim) is null)
        {
            // A bad upload replaced the claim object (the bucket watcher reports it): the environment is what was accepted.
            (json, claim, problem) = (accepted, acceptedClaim, null);
        }

        return problem is not null
            ? throw new EnvironmentConflictException(
                $"The stored claim of environment '{record.Name}' ({where}) cannot be read: {problem} An administrator must repair or remove it; until then it cannot be read or changed here.")
            : new EnvironmentState(claim!, json, record);
    }

    /// <summary>
    /// Plans and validates a new environment for <paramref name="principal"/>, resolving every version; throws
    /// <see cref="ValidationFailedException"/> naming every problem, or <see cref="VersionNotResolvedException"/>.
    /// </summary>
    public async Task<EnvironmentClaim> PlanNewAsync(Principal principal, EnvironmentClaim request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        if (request.User.Length > 0 && request.User != principal.Name)
        {
            errors.Add("user", $"is the authenticated caller ('{principal.Name}'); leave it out or give that name");
        }

        if (request.Services.Any(s => s.ResolvedVersion is not null || s.Implicit))
        {
            errors.Add("services", "resolved_version and implicit are set by Gantry, not by a request");
        }

        var now = time.GetUtcNow();
        var claim = EnvironmentPlanner.Complete(request, principal.Name, now, Policies);
        return await ValidateAndResolveAsync(claim, now, errors, cancellationToken);
    }

    /// <summary>Writes a planned dynamic environment; 409 when the name is taken.</summary>
    public async Task<EnvironmentState> CreateAsync(EnvironmentClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await names.EnsureFreeAsync(claim.EnvironmentName, claim.EnvironmentPool, exceptRequest: null, cancellationToken);

            return await WriteAsync(claim, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Applies a PATCH (services as a JSON merge patch, deploy_only_specified) and re-resolves.</summary>
    public Task<EnvironmentState> PatchAsync(EnvironmentRecord record, JsonObject patch, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var errors = new ValidationErrors();
        foreach (var (field, _) in patch.Where(p => !PatchableFields.Contains(p.Key, StringComparer.Ordinal)))
        {
            errors.Add(field, $"cannot be changed here; a PATCH changes {string.Join(" and ", PatchableFields)} (extend moves the expiry)");
        }

        errors.ThrowIfAny();
        return MutateAsync(record, ifMatch, current =>
        {
            var document = JsonNode.Parse(EnvironmentJson.Serialize(current with
            {
                Services = [.. current.Services.Where(s => !s.Implicit).Select(s => s with { ResolvedVersion = null })],
            }))!.AsObject();
            return EnvironmentJson.Parse(JsonSerializer.SerializeToUtf8Bytes(Core.Catalog.ValuesPath.ApplyMergePatch(document, patch)));
        }, cancellationToken);
    }

    /// <summary>Re-resolves every constraint, picking up newer matching tags.</summary>
    public Task<EnvironmentState> RefreshAsync(EnvironmentRecord record, CancellationToken cancellationToken) =>
        MutateAsync(record, null, current => current with { Services = [.. current.Services.Select(s => s with { ResolvedVersion = null })] }, cancellationToken);

    /// <summary>
    /// Moves the expiry to <paramref name="until"/>, or by the type's default lifetime from now, never past the
    /// type's maximum from creation (400 when asked to).
    /// </summary>
    public Task<EnvironmentState> ExtendAsync(EnvironmentRecord record, DateTimeOffset? until, CancellationToken cancellationToken) =>
        MutateAsync(record, null, current =>
        {
            var policy = Policies.Type(current.EnvironmentType)!;
            if (current.ExpirationDate is null)
            {
                throw new EnvironmentConflictException($"{current.EnvironmentType} environments do not expire; there is nothing to extend.");
            }

            var now = time.GetUtcNow();
            var latest = policy.MaxLifetime is { } max ? current.CreationDate!.Value + max : (DateTimeOffset?)null;
            var target = until ?? EnvironmentPlanner.ToTheSecond(now + (policy.DefaultLifetime ?? TimeSpan.FromHours(24)));
            if (until is null && latest is { } cap && target > cap)
            {
                target = cap;
            }

            if (target <= current.ExpirationDate)
            {
                throw ValidationFailedException.For("expiration_date",
                    $"must be later than the current expiry {current.ExpirationDate:yyyy-MM-dd'T'HH:mm:ss'Z'}" + (latest is null ? string.Empty : $" and at most {latest:yyyy-MM-dd'T'HH:mm:ss'Z'}"));
            }

            return current with { ExpirationDate = target };
        }, cancellationToken);

    /// <summary>Removes the environment's claim, manifests and index row; false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(EnvironmentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        RefuseIfStatic(record, ChangeRequestOperations.Delete);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var existed = await bucket.DeleteAsync(record.Pool, record.Name, cancellationToken);
            await index.DeleteAsync(record.Name, cancellationToken);
            return existed;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Removes the environment if, checked again under the write gate, it is still expired at <paramref name="now"/>
    /// (an extend may have come first); true when it was removed.
    /// </summary>
    public async Task<bool> ExpireAsync(string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            if (await index.FindAsync(name, cancellationToken) is not { ExpiresAt: { } expires } record || expires > now)
            {
                return false;
            }

            if (IsStatic(record))
            {
                await git.DeleteAsync(record.Pool, record.Name, new ChangeAuthor("Gantry expiry", "expiry@gantry.invalid"),
                    $"Expire environment {record.Pool}/{record.Name}\n\nIts expiration_date {expires:yyyy-MM-dd'T'HH:mm:ss'Z'} has passed.", cancellationToken);
            }
            else
            {
                await bucket.DeleteAsync(record.Pool, record.Name, cancellationToken);
            }

            await index.DeleteAsync(record.Name, cancellationToken);
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose() => _writeGate.Dispose();

    private async Task<EnvironmentState> MutateAsync(EnvironmentRecord record, string? ifMatch, Func<EnvironmentClaim, EnvironmentClaim> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        RefuseIfStatic(record, ChangeRequestOperations.Update);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var current = await GetAsync(record, cancellationToken) ?? throw new EnvironmentNotFoundException(record.Name);
            if (ifMatch is not null && !Instances.ETags.Matches(ifMatch, current.Record.Revision))
            {
                throw new Instances.PreconditionFailedException(current.Record.Revision);
            }

            var now = time.GetUtcNow();
            var next = change(current.Claim);
            var claim = await ValidateAndResolveAsync(next with { CreationDate = current.Claim.CreationDate, User = current.Claim.User }, now, new ValidationErrors(), cancellationToken);
            return await WriteAsync(claim, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<EnvironmentClaim> ValidateAndResolveAsync(EnvironmentClaim claim, DateTimeOffset now, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var catalog = services.Catalog;
        EnvironmentValidator.Validate(claim, Policies, catalog, now, errors);
        if (!string.IsNullOrEmpty(claim.EnvironmentPool) && await tenants.FindAsync(claim.EnvironmentPool, cancellationToken) is null)
        {
            errors.Add("environment_pool", $"there is no team pool '{claim.EnvironmentPool}': the environment pool is the tenant (team) that owns the environment, such as team1");
        }

        var planned = EnvironmentPlanner.WithNodePools(EnvironmentPlanner.WithDeployedServices(claim, catalog, errors), catalog);
        EnvironmentValidator.ValidateNodePools(planned, Policies, errors);
        errors.ThrowIfAny();
        return await EnvironmentPlanner.ResolveAsync(planned, catalog, Policies.Type(planned.EnvironmentType)!, tags, cancellationToken);
    }

    private async Task<EnvironmentState> WriteAsync(EnvironmentClaim claim, CancellationToken cancellationToken)
    {
        var json = EnvironmentJson.Serialize(claim);
        var manifests = EnvironmentRenderer.Render(claim, services.Catalog, Policies);
        await bucket.WriteAsync(claim, json, manifests, cancellationToken);
        var record = RecordOf(claim, json, time.GetUtcNow());
        await index.UpsertAsync(record, cancellationToken);
        return new EnvironmentState(claim, json, record);
    }

    private static EnvironmentRecord RecordOf(EnvironmentClaim claim, byte[] json, DateTimeOffset updated) => new()
    {
        Name = claim.EnvironmentName,
        Pool = claim.EnvironmentPool,
        Type = claim.EnvironmentType,
        UserName = claim.User,
        DeploymentMethod = claim.DeploymentMethod ?? DeploymentMethods.Bucket,
        Services = EnvironmentRecord.FrameServices(claim.Services.Select(s => s.Name)),
        ServiceVersions = VersionsOf(claim),
        Revision = RevisionOf(json),
        CreatedAt = claim.CreationDate ?? updated,
        ExpiresAt = claim.ExpirationDate,
        UpdatedAt = updated,
    };

    // Every service the claim deploys, named or implicit, as the environment's GET shows them; a service without a
    // resolved version (none in a claim Gantry stored) is left out and listed by name alone.
    private static string VersionsOf(EnvironmentClaim claim) => EnvironmentRecord.SerializeVersions(
        claim.Services.Where(s => s.ResolvedVersion is not null).Select(s => KeyValuePair.Create(s.Name, s.ResolvedVersion!)));
}
