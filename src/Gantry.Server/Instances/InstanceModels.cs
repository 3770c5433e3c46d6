using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gantry.Server.Status;
using Microsoft.AspNetCore.Mvc;

namespace Gantry.Server.Instances;

/// <summary>
/// An instance as the API shows it. The ETag header carries <see cref="Revision"/>. <see cref="Secrets"/> names the
/// secrets that have a sealed value, never a value; <see cref="Credentials"/> holds the secrets Gantry generated in
/// this very change, and only in the answer to that change. <see cref="ChangedBy"/> is who made the change that
/// produced <see cref="Revision"/> (its commit's author name); null when the index does not know yet.
/// </summary>
public sealed record InstanceResponse(
    string Tenant,
    string Name,
    string Offering,
    string Version,
    string ChartVersion,
    string Namespace,
    JsonObject Values,
    IReadOnlyList<string> Secrets,
    string Revision,
    DeploymentStatusResponse Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? ChangedBy)
{
    public const string ShownOnceNotice =
        "Generated credentials are shown only in this response and are not stored by Gantry in clear. Keep them now; POST .../credentials/rotate makes new ones.";

    public const string NotRepeatedNotice =
        "This replays the first answer to this Idempotency-Key without the generated credentials, which are shown only once. POST .../credentials/rotate makes new ones.";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Credentials { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CredentialsNotice { get; init; }

    public static InstanceResponse From(InstanceState state) => new(
        state.Claim.Tenant, state.Claim.Name, state.Claim.Offering, state.Claim.Version, state.Claim.ChartVersion,
        state.Claim.Namespace, state.Claim.Values, state.Claim.SealedSecrets.Keys.Order(StringComparer.Ordinal).ToList(),
        state.Record.Revision, DeploymentStatusResponse.From(state.Record), state.Record.CreatedAt, state.Record.UpdatedAt,
        state.Record.ChangedBy)
    {
        Credentials = state.Credentials.Count > 0 ? state.Credentials : null,
        CredentialsNotice = state.Credentials.Count > 0 ? ShownOnceNotice : null,
    };

    /// <summary>What the idempotency cache keeps: the answer without any generated value, which must never be stored.</summary>
    public InstanceResponse ForReplay() => Credentials is null ? this : this with { Credentials = null, CredentialsNotice = NotRepeatedNotice };
}

/// <summary>A list item: the index row, without values; <see cref="ChangedBy"/> made the change of <see cref="UpdatedAt"/>.</summary>
public sealed record InstanceSummary(
    string Name, string Offering, string ChartVersion, string Namespace, string Revision, DeploymentStatusResponse Status, DateTimeOffset UpdatedAt, string? ChangedBy)
{
    public static InstanceSummary From(Data.Instances.InstanceRecord record) => new(
        record.Name, record.Offering, record.ChartVersion, record.Namespace, record.Revision, DeploymentStatusResponse.From(record), record.UpdatedAt, record.ChangedBy);
}

public sealed record InstancePage(IReadOnlyList<InstanceSummary> Items, string? Next);

public sealed record ScaleRequest(int? Replicas);

/// <summary>
/// <c>?wait=Ready&amp;timeout=120s</c> on a change: answer once the engine reports the outcome (or the phase named),
/// or 202 with the status so far when the timeout passes first.
/// </summary>
public sealed record WaitQuery(
    [FromQuery(Name = "wait")] string? Wait,
    [FromQuery(Name = "timeout")] string? Timeout,
    DeploymentWaiter Waiter)
{
    public WaitRequest? Parse() => WaitRequest.Parse(Wait, Timeout, Waiter.MaxWait);
}

public sealed record RollbackRequest(string? Revision);

/// <summary>Which generated secrets to renew; none named means all of them.</summary>
public sealed record RotateCredentialsRequest(IReadOnlyList<string>? Secrets);

public sealed record CommitResponse(string Revision, string AuthorName, string AuthorEmail, DateTimeOffset When, string Message);

public sealed record HistoryResponse(IReadOnlyList<CommitResponse> Items, string? Next);

public sealed record DiffResponse(string Path, string Change, string Patch);
