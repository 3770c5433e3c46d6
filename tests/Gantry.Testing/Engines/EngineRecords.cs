namespace Gantry.Testing.Engines;

/// <summary>A notification Gantry sent the engine (a Flux Receiver call or an Argo CD Git webhook), and the answer.</summary>
/// <param name="ReceivedAt">When the request arrived (engine clock).</param>
/// <param name="Path">The request path.</param>
/// <param name="StatusCode">What the engine answered.</param>
/// <param name="Revision">Argo CD: the push's <c>after</c> commit; Flux: null (a Receiver call carries no revision the engine reads).</param>
/// <param name="Triggered">Whether it scheduled a reconcile (a valid notification for the engine's branch).</param>
public sealed record EngineNotification(DateTimeOffset ReceivedAt, string Path, int StatusCode, string? Revision, bool Triggered);

/// <summary>One event the engine posted to Gantry, and Gantry's answer.</summary>
/// <param name="PostedAt">When the post was sent (engine clock).</param>
/// <param name="Tenant">The tenant stamped on the object.</param>
/// <param name="Instance">The instance stamped on the object.</param>
/// <param name="Generation">The claim generation stamped on the object, as text.</param>
/// <param name="Event">Flux: the reason (<c>Progressing</c>, <c>UpgradeSucceeded</c>…); Argo CD: the trigger.</param>
/// <param name="StatusCode">Gantry's answer, or null when no answer came (the error says why).</param>
/// <param name="Error">Why the post failed without an answer.</param>
/// <param name="Elapsed">How long the post took.</param>
public sealed record EngineDelivery(
    DateTimeOffset PostedAt,
    string Tenant,
    string Instance,
    string Generation,
    string Event,
    int? StatusCode,
    string? Error,
    TimeSpan Elapsed)
{
    public bool Accepted => StatusCode is >= 200 and < 300;
}
