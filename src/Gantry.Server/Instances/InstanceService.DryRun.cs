using System.Text;
using Gantry.Core.Identity;
using Gantry.Core.Instances;
using Gantry.Core.Rendering;

namespace Gantry.Server.Instances;

/// <summary>One rendered file a change would touch: <c>added</c>, <c>modified</c> or <c>deleted</c>, with the unified diff of its lines.</summary>
public sealed record PlannedFile(string Path, string Change, string Patch);

/// <summary>What a create-or-replace would store and how the instance's rendered files would change; nothing was written.</summary>
public sealed record InstancePlan(InstanceClaim? Current, InstanceClaim Planned, bool Created, IReadOnlyList<PlannedFile> Files);

// PUT ...?dryRun=true: the same checks, resolution and rendering as a real change, under the tenant's gate, without
// sealing, committing or indexing anything.
public sealed partial class InstanceService
{
    /// <summary>
    /// Plans a create or replace as <see cref="PutAsync"/> would make it and answers the rendered difference.
    /// Secrets are not sealed: the sealed values the instance has are kept, and secrets a new instance would get
    /// generated appear only when it is applied (each sealing is new ciphertext anyway).
    /// </summary>
    public async Task<InstancePlan> PlanPutAsync(
        Principal principal, string tenant, string name, InstanceRequest request, string? ifMatch, CancellationToken cancellationToken, bool createOnly = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tenantRecord = await tenants.FindAsync(tenant, cancellationToken) ?? throw new InstanceNotFoundException(tenant, name);
        return await WithTenantGateAsync(tenant, async () =>
        {
            var existing = await index.FindAsync(tenant, name, cancellationToken);
            CheckPrecondition(ifMatch, existing, createOnly, tenant, name);
            var snapshot = await SnapshotAsync(tenant, fresh: false, cancellationToken);
            var current = await ClaimInAsync(snapshot, tenant, name, cancellationToken);
            var (claim, offering, kept) = await PlanClaimAsync(principal, tenantRecord, name, request, snapshot, current, cancellationToken);
            claim = claim with { SealedSecrets = new SortedDictionary<string, string>(kept.ToDictionary(), StringComparer.Ordinal) };
            claim = claim with { Generation = current is not null && claim.IsSameAs(current) ? current.Generation : (current?.Generation ?? 0) + 1 };

            var before = current is null ? [] : Files(tenant, current);
            var after = TenantRenderer.RenderInstance(tenant, new RenderedInstance(claim, offering))
                .ToDictionary(f => f.Key, f => Encoding.UTF8.GetString(f.Value), StringComparer.Ordinal);
            var files = before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
                .Select(path => new PlannedFile(
                    path,
                    !before.ContainsKey(path) ? "added" : !after.ContainsKey(path) ? "deleted" : "modified",
                    TextDiff.Unified(before.GetValueOrDefault(path) ?? string.Empty, after.GetValueOrDefault(path) ?? string.Empty)))
                .Where(f => f.Patch.Length > 0)
                .ToList();
            return new InstancePlan(current, claim, current is null, files);
        });
    }

    private Dictionary<string, string> Files(string tenant, InstanceClaim claim) =>
        TenantRenderer.RenderInstance(tenant, Instance(tenant, claim)).ToDictionary(f => f.Key, f => Encoding.UTF8.GetString(f.Value), StringComparer.Ordinal);
}
