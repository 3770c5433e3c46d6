using Gantry.Core.Environments;
using Gantry.Core.Identity;
using Gantry.Data.ChangeRequests;
using Gantry.Server.ChangeRequests;

namespace Gantry.Server.Environments;

/// <summary>Change requests of kind <c>environment</c>: static environments created, changed or removed after approval.</summary>
internal sealed class EnvironmentChangeRequestHandler(EnvironmentManager environments) : IChangeRequestHandler
{
    public string Kind => EnvironmentManager.ChangeRequestKind;

    public string ResourceKind => ResourceKinds.Environment;

    public async Task<ChangeRequestDraft> ValidateAsync(ChangeRequestDraft draft, Principal requester, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var claim = await environments.ProposeAsync(draft.Operation, draft.Pool, draft.Target, draft.Payload, requester, cancellationToken);
        var summary = draft.Summary ?? (claim is null
                ? $"delete environment {draft.Pool}/{draft.Target}"
                : $"{draft.Operation} {claim.EnvironmentType} environment {draft.Pool}/{draft.Target}: "
                    + string.Join(", ", claim.Services.Where(s => !s.Implicit).Select(s => $"{s.Name} {s.ResolvedVersion}")));
        return draft with
        {
            Payload = claim is null ? null : System.Text.Json.Nodes.JsonNode.Parse(EnvironmentJson.Serialize(claim)),
            Summary = summary.Length > ChangeRequestService.MaxSummaryLength ? summary[..(ChangeRequestService.MaxSummaryLength - 3)] + "..." : summary,
        };
    }

    public async Task<string?> ApplyAsync(ChangeRequestRecord request, Principal approver, CancellationToken cancellationToken) =>
        await environments.ApplyApprovedAsync(request, approver, cancellationToken);
}
