using System.Security.Cryptography;
using Gantry.Core.Environments;
using Gantry.Core.Validation;

namespace Gantry.Server.Environments;

/// <summary>
/// Claims put straight into the environments bucket (the design's "direct upload"): handled as if they came through
/// the API, by the same rules, under the same write gate. Gantry's own writes come back as unchanged (the index holds
/// their revision), so only foreign writes act.
/// </summary>
public sealed partial class EnvironmentManager
{
    /// <summary>
    /// Applies the claim object <paramref name="key"/> holds: validated (the pool and name in the key must be the
    /// claim's), resolved, rendered, written back completed, indexed. Null when it is Gantry's own write. Throws
    /// <see cref="JsonInputException"/> (the object breaks the input rules), <see cref="ValidationFailedException"/> or <see cref="Core.Versions.VersionNotResolvedException"/> for a bad claim, changing nothing.
    /// </summary>
    public async Task<EnvironmentState?> ApplyBucketClaimAsync(string key, byte[] json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(json);
        var (pool, name) = EnvironmentLayout.ParseBucketClaim(key) ?? throw new ArgumentException($"'{key}' is not a claim key", nameof(key));
        var revision = RevisionOf(json);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var existing = await index.FindAsync(name, cancellationToken);
            if (existing is not null && existing.Pool == pool && existing.Revision == revision)
            {
                return null;
            }

            JsonInput.CheckFile(json, key);
            var request = EnvironmentJson.Parse(json);
            var errors = new ValidationErrors();
            if (request.EnvironmentName != name)
            {
                errors.Add("environment_name", $"must be the object's name '{name}' (the key is <pool>/<name>.json)");
            }

            if (request.EnvironmentPool != pool)
            {
                errors.Add("environment_pool", $"must be the pool of the object's key '{pool}'");
            }

            if (existing is not null && (existing.Pool != pool || IsStatic(existing)))
            {
                errors.Add("environment_name", EnvironmentNames.TakenMessage);
            }
            else if (existing is null)
            {
                try
                {
                    await names.EnsureFreeAsync(name, pool, exceptRequest: null, cancellationToken);
                }
                catch (EnvironmentConflictException e)
                {
                    errors.Add("environment_name", e.Message);
                }
            }

            errors.ThrowIfAny();
            var now = time.GetUtcNow();
            // A claim Gantry wrote and someone edited carries what Gantry adds: it is planned again from the named services.
            var named = request with { Services = [.. request.Services.Where(s => !s.Implicit).Select(s => s with { ResolvedVersion = null })] };
            var user = string.IsNullOrWhiteSpace(request.User) ? key : request.User;
            var claim = EnvironmentPlanner.Complete(named, user, now, Policies, existing?.CreatedAt ?? request.CreationDate);
            if (NeedsApproval(claim))
            {
                errors.Add("deployment_method", $"a {claim.EnvironmentType} environment lives in Git and changes through approved change requests, not bucket uploads");
            }

            var planned = await ValidateAndResolveAsync(claim, now, errors, cancellationToken);
            return await WriteAsync(planned, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Tears down the environment whose claim object <paramref name="key"/> disappeared without the API (its
    /// manifests and index row); null when there was nothing of it left, or it is not a bucket environment of that pool.
    /// </summary>
    public async Task<Data.Environments.EnvironmentRecord?> RemoveVanishedBucketClaimAsync(string key, CancellationToken cancellationToken)
    {
        var (pool, name) = EnvironmentLayout.ParseBucketClaim(key) ?? throw new ArgumentException($"'{key}' is not a claim key", nameof(key));
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            if (await index.FindAsync(name, cancellationToken) is not { } record || record.Pool != pool || IsStatic(record)
                || await bucket.ReadAsync(pool, name, cancellationToken) is not null)
            {
                return null;
            }

            await bucket.DeleteAsync(pool, name, cancellationToken);
            await index.DeleteAsync(name, cancellationToken);
            return record;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private static string RevisionOf(byte[] json) => Convert.ToHexStringLower(SHA256.HashData(json))[..32];
}
