using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Rendering;
using Gantry.Core.State;
using Gantry.Core.Yaml;

namespace Gantry.Server.Instances;

// The Flux cluster index: the one file every tenant shares, kept listing every rendered tenant.
public sealed partial class InstanceService
{
    /// <summary>
    /// Adds a tenant to the Flux cluster index, the one file all tenants share. Additions from concurrent first
    /// instances are gathered and written as one change by whichever caller holds the gate, so they do not fight over
    /// the file; a conflict with another replica is retried on the new head (adding is idempotent).
    /// </summary>
    private async Task EnsureInFluxIndexAsync(string tenant, ChangeAuthor author, CancellationToken cancellationToken)
    {
        var mine = _pendingIndex.GetOrAdd(tenant, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _indexGate.WaitAsync(cancellationToken);
        try
        {
            if (!mine.Task.IsCompleted)
            {
                var batch = _pendingIndex.Keys.ToList();
                await AddToFluxIndexAsync(batch, author, cancellationToken);
                foreach (var added in batch)
                {
                    if (_pendingIndex.TryRemove(added, out var waiter))
                    {
                        waiter.TrySetResult();
                    }
                }
            }
        }
        finally
        {
            _indexGate.Release();
        }

        await mine.Task.WaitAsync(cancellationToken);
    }

    private async Task AddToFluxIndexAsync(List<string> tenantsToAdd, ChangeAuthor author, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var head = await state.GetHeadAsync(cancellationToken);
            var listed = await ReadFluxIndexAsync(head, cancellationToken);
            if (tenantsToAdd.All(listed.Contains))
            {
                return;
            }

            listed.UnionWith(tenantsToAdd);
            var change = new Change
            {
                Puts = TenantRenderer.RenderFluxIndex(listed).ToDictionary(f => f.Key, f => (ReadOnlyMemory<byte>)f.Value, StringComparer.Ordinal),
                Author = author,
                Message = $"Add {string.Join(", ", tenantsToAdd.Order(StringComparer.Ordinal).Take(10))}{(tenantsToAdd.Count > 10 ? " and more" : string.Empty)} to the Flux tenant index",
                ChangeId = Guid.CreateVersion7(time.GetUtcNow()).ToString(),
                BaseRevision = head,
            };
            try
            {
                await state.CommitAsync(change, cancellationToken);
                return;
            }
            catch (ChangeConflictException) when (attempt < 20)
            {
                Log.IndexConflict(logger, attempt);
            }
        }
    }

    /// <summary>The tenants the Flux cluster index lists at <paramref name="head"/>.</summary>
    private async Task<SortedSet<string>> ReadFluxIndexAsync(string? head, CancellationToken cancellationToken)
    {
        var listed = new SortedSet<string>(StringComparer.Ordinal);
        if (head is not null && await state.ReadFileAsync(GitOpsLayout.FluxClusterIndex, head, cancellationToken) is { } bytes
            && YamlJson.Parse(Encoding.UTF8.GetString(bytes))?["resources"] is JsonArray resources)
        {
            listed.UnionWith(resources.Select(r => r?.GetValue<string>()).OfType<string>()
                .Select(GitOpsLayout.TenantOfFluxIndexEntry).OfType<string>());
        }

        return listed;
    }

    /// <summary>Whether the tenant's folder was ever rendered at <paramref name="revision"/>.</summary>
    private async Task<bool> IsRenderedAsync(string tenant, string? revision, CancellationToken cancellationToken) =>
        revision is not null && await state.ReadFileAsync(GitOpsLayout.FluxKustomization(tenant), revision, cancellationToken) is not null;
}
