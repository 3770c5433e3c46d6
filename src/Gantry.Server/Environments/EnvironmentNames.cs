using Gantry.Data.ChangeRequests;
using Gantry.Data.Environments;

namespace Gantry.Server.Environments;

/// <summary>
/// Environment names are namespaces, so they are unique on the whole platform. A name counts as taken when an
/// environment has it or when another pool's open change request proposes to create it: the request's team keeps it
/// until the request is closed. A taken name answers the same words whoever holds it, so a stranger learns neither
/// the owner nor the pool.
/// </summary>
public sealed class EnvironmentNames(EnvironmentRepository index, ChangeRequestRepository changeRequests)
{
    public const string TakenMessage = "The name is taken; choose another.";

    /// <summary>Throws <see cref="EnvironmentConflictException"/> unless <paramref name="pool"/> may create <paramref name="name"/> now.</summary>
    public async Task EnsureFreeAsync(string name, string pool, string? exceptRequest, CancellationToken cancellationToken)
    {
        if (await index.FindAsync(name, cancellationToken) is not null)
        {
            throw new EnvironmentConflictException(TakenMessage);
        }

        var proposals = await changeRequests.ListAsync(new ChangeRequestQuery
        {
            Kind = EnvironmentManager.ChangeRequestKind,
            Status = ChangeRequestStatuses.Open,
            Target = name,
            Limit = 20,
        }, cancellationToken);
        if (proposals.Any(r => r.Operation == ChangeRequestOperations.Create && r.Pool != pool && r.Id != exceptRequest))
        {
            throw new EnvironmentConflictException(TakenMessage);
        }
    }
}
