using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Identity;
using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Data.ChangeRequests;
using Gantry.Server.ChangeRequests;

namespace Gantry.Server.Tests.ChangeRequests;

/// <summary>
/// A real handler for the tests: a request proposes a JSON file at change-requests/&lt;pool&gt;/&lt;target&gt;.json in
/// the desired state, and approving it commits the file (or its removal) through the server's own Git store.
/// Proposing needs what changing an instance needs (operator).
/// </summary>
public sealed class StateFileChangeHandler(IStateStore store) : IChangeRequestHandler
{
    public const string KindName = "state-file";

    public string Kind => KindName;

    public string ResourceKind => ResourceKinds.Instance;

    public static string PathOf(string pool, string target) => $"change-requests/{pool}/{target}.json";

    public async Task<ChangeRequestDraft> ValidateAsync(ChangeRequestDraft draft, Principal requester, CancellationToken cancellationToken)
    {
        if (draft.Operation != ChangeRequestOperations.Delete && draft.Payload is not JsonObject)
        {
            throw ValidationFailedException.For("payload", "must be a JSON object");
        }

        await CheckExistenceAsync(draft.Pool, draft.Target, draft.Operation, cancellationToken);
        return draft with { Summary = draft.Summary ?? $"{draft.Operation} {PathOf(draft.Pool, draft.Target)}" };
    }

    public async Task<string?> ApplyAsync(ChangeRequestRecord request, Principal approver, CancellationToken cancellationToken)
    {
        await CheckExistenceAsync(request.Pool, request.Target, request.Operation, cancellationToken);
        var path = PathOf(request.Pool, request.Target);
        var change = new Change
        {
            Author = new ChangeAuthor(approver.Name, $"{approver.Id}@test.gantry.invalid"),
            Message = $"Change request {request.Id}: {request.Summary}",
            ChangeId = request.Id,
            Tenant = request.Pool,
        };
        change = request.Operation == ChangeRequestOperations.Delete
            ? change with { Deletes = [path] }
            : change with { Puts = new Dictionary<string, ReadOnlyMemory<byte>> { [path] = Encoding.UTF8.GetBytes(request.Payload!) } };
        return await store.CommitAsync(change, cancellationToken);
    }

    private async Task CheckExistenceAsync(string pool, string target, string operation, CancellationToken cancellationToken)
    {
        var exists = await store.ReadFileAsync(PathOf(pool, target), cancellationToken: cancellationToken) is not null;
        if (operation == ChangeRequestOperations.Create && exists)
        {
            throw ValidationFailedException.For("target", "already exists");
        }

        if (operation != ChangeRequestOperations.Create && !exists)
        {
            throw ValidationFailedException.For("target", "does not exist");
        }
    }
}
