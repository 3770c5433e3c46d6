namespace Gantry.Server.ChangeRequests;

/// <summary>The change request was decided already (or is being applied): answered 409.</summary>
public sealed class ChangeRequestDecidedException(string id, string status)
    : Exception($"Change request {id} is {status}; only an open request can be approved or rejected.")
{
    public string Status { get; } = status;
}
