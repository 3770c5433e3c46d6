using System.Text.Json.Nodes;
using Gantry.Core.Identity;
using Gantry.Data.ChangeRequests;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gantry.Server.ChangeRequests;

/// <summary>A proposed change before it is stored: as the requester sent it, or as its handler normalized it.</summary>
public sealed record ChangeRequestDraft
{
    public required string Kind { get; init; }

    /// <summary>The pool (tenant) whose administrators decide.</summary>
    public required string Pool { get; init; }

    public required string Target { get; init; }

    /// <summary>One of <see cref="ChangeRequestOperations"/>.</summary>
    public required string Operation { get; init; }

    /// <summary>The proposed claim (null for a delete). It is stored and shown as is: it must never hold a secret.</summary>
    public JsonNode? Payload { get; init; }

    /// <summary>One line for people; the handler may fill it in.</summary>
    public string? Summary { get; init; }
}

/// <summary>
/// Validates and applies the change requests of one kind (for example "environment"). Register it with
/// <see cref="ChangeRequestServiceCollectionExtensions.AddChangeRequestHandler{THandler}"/>; kinds are unique.
/// </summary>
public interface IChangeRequestHandler
{
    /// <summary>The kind this handler owns, as requests name it.</summary>
    string Kind { get; }

    /// <summary>
    /// The <see cref="ResourceKinds"/> entry whose create, update or delete right in the pool a requester needs to
    /// propose a change of this kind (an environment request needs what changing an environment needs).
    /// </summary>
    string ResourceKind { get; }

    /// <summary>
    /// Checks a proposal as if it were to be applied now and returns what to store (normalized payload, summary).
    /// Throws <see cref="Core.Validation.ValidationFailedException"/> naming every problem.
    /// </summary>
    Task<ChangeRequestDraft> ValidateAsync(ChangeRequestDraft draft, Principal requester, CancellationToken cancellationToken);

    /// <summary>
    /// Applies an approved request and returns the revision it produced (null when the target keeps none). The
    /// world may have moved since the request was made, so it checks again; any exception marks the request failed.
    /// </summary>
    Task<string?> ApplyAsync(ChangeRequestRecord request, Principal approver, CancellationToken cancellationToken);
}

public static class ChangeRequestServiceCollectionExtensions
{
    /// <summary>Adds a handler for one kind of change request.</summary>
    public static IServiceCollection AddChangeRequestHandler<THandler>(this IServiceCollection services)
        where THandler : class, IChangeRequestHandler
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChangeRequestHandler, THandler>());
        return services;
    }
}
