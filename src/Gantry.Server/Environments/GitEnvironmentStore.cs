using System.Text;
using Gantry.Core.Environments;
using Gantry.Core.State;

namespace Gantry.Server.Environments;

/// <summary>
/// Static environments in the desired-state repository: <c>environments/&lt;pool&gt;/&lt;name&gt;/</c> holds
/// <c>environment.json</c> (the claim) beside the rendered manifests, and every change is one commit. Only approved
/// change requests write here. Every committed claim is then published to the static-environments bucket.
/// </summary>
public sealed class GitEnvironmentStore(IStateStore store, StaticEnvironmentPublisher publisher)
{
    /// <summary>Commits the claim and manifests (removing manifests that are no longer rendered); returns the revision.</summary>
    public async Task<string> WriteAsync(EnvironmentClaim claim, byte[] claimJson, IReadOnlyDictionary<string, byte[]> manifests, ChangeAuthor author,
        string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(manifests);
        var root = EnvironmentLayout.GitRoot(claim.EnvironmentPool, claim.EnvironmentName);
        var puts = manifests.ToDictionary(m => $"{root}/{m.Key}", m => (ReadOnlyMemory<byte>)m.Value, StringComparer.Ordinal);
        puts[EnvironmentLayout.GitClaim(claim.EnvironmentPool, claim.EnvironmentName)] = claimJson;
        var stale = (await store.ListAsync($"{root}/services", cancellationToken: cancellationToken))
            .Concat(await store.ListAsync($"{root}/addons", cancellationToken: cancellationToken))
            .Where(e => e.Kind == StateEntryKind.File && !puts.ContainsKey(e.Path))
            .Select(e => e.Path)
            .ToList();
        var revision = await store.CommitAsync(new Change
        {
            Puts = puts,
            Deletes = stale,
            Author = author,
            Message = message,
            Tenant = claim.EnvironmentPool,
            Claim = $"environment/{claim.EnvironmentName}",
        }, cancellationToken);
        await publisher.PublishAsync(claim, claimJson, cancellationToken);
        return revision;
    }

    /// <summary>
    /// Commits the manifests of several environments in one commit, only the files that differ from the head (and
    /// the stale ones removed); returns the revision (null when nothing differed) and the environments that changed.
    /// </summary>
    public async Task<(string? Revision, IReadOnlyList<string> Changed)> RewriteManifestsAsync(IReadOnlyList<(EnvironmentClaim Claim, IReadOnlyDictionary<string, byte[]> Manifests)> environments,
        ChangeAuthor author, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environments);
        var puts = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        var deletes = new List<string>();
        var changed = new List<string>();
        foreach (var (claim, manifests) in environments)
        {
            var before = puts.Count + deletes.Count;
            var root = EnvironmentLayout.GitRoot(claim.EnvironmentPool, claim.EnvironmentName);
            foreach (var (path, content) in manifests)
            {
                if (await store.ReadFileAsync($"{root}/{path}", cancellationToken: cancellationToken) is not { } stored || !stored.AsSpan().SequenceEqual(content))
                {
                    puts[$"{root}/{path}"] = content;
                }
            }

            foreach (var folder in new[] { $"{root}/services", $"{root}/addons" })
            {
                deletes.AddRange((await store.ListAsync(folder, cancellationToken: cancellationToken))
                    .Where(e => e.Kind == StateEntryKind.File && !manifests.ContainsKey(e.Path[(root.Length + 1)..]))
                    .Select(e => e.Path));
            }

            if (puts.Count + deletes.Count > before)
            {
                changed.Add(claim.EnvironmentName);
            }
        }

        if (changed.Count == 0)
        {
            return (null, []);
        }

        return (await store.CommitAsync(new Change { Puts = puts, Deletes = deletes, Author = author, Message = message }, cancellationToken), changed);
    }

    public Task<byte[]?> ReadAsync(string pool, string name, CancellationToken cancellationToken) =>
        store.ReadFileAsync(EnvironmentLayout.GitClaim(pool, name), cancellationToken: cancellationToken);

    /// <summary>Removes the environment's folder in one commit; returns the revision.</summary>
    public async Task<string> DeleteAsync(string pool, string name, ChangeAuthor author, string message, CancellationToken cancellationToken)
    {
        var revision = await store.CommitAsync(new Change
        {
            Deletes = [EnvironmentLayout.GitRoot(pool, name)],
            Author = author,
            Message = message,
            Tenant = pool,
            Claim = $"environment/{name}",
        }, cancellationToken);
        await publisher.UnpublishAsync(pool, name, cancellationToken);
        return revision;
    }

    /// <summary>Every static environment's claim with the head revision it was read at.</summary>
    public async Task<IReadOnlyList<(string Path, byte[] Json, string Revision)>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var head = await store.GetHeadAsync(cancellationToken);
        if (head is null)
        {
            return [];
        }

        var claims = new List<(string, byte[], string)>();
        foreach (var pool in (await store.ListAsync(EnvironmentLayout.GitFolder, head, cancellationToken)).Where(e => e.Kind == StateEntryKind.Folder))
        {
            foreach (var environment in (await store.ListAsync(pool.Path, head, cancellationToken)).Where(e => e.Kind == StateEntryKind.Folder))
            {
                var path = $"{environment.Path}/{EnvironmentLayout.GitClaimFile}";
                if (await store.ReadFileAsync(path, head, cancellationToken) is { } json)
                {
                    claims.Add((path, json, head));
                }
            }
        }

        return claims;
    }

    /// <summary>The commit message of a static environment change: what, and who approved it.</summary>
    public static string Message(string operation, EnvironmentClaim claim, string requestId, string approver)
    {
        var text = new StringBuilder($"{operation} environment {claim.EnvironmentPool}/{claim.EnvironmentName}\n\n");
        foreach (var service in claim.Services)
        {
            text.Append(CultureInfoInvariant($"{service.Name}: {service.Version} -> {service.ResolvedVersion}\n"));
        }

        text.Append(CultureInfoInvariant($"\nChange request {requestId}, approved by {approver}."));
        return text.ToString();
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);
}
