using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Catalog;

/// <summary>The catalog, for forms and the CLI: <c>GET /api/v1/offerings</c> and <c>GET /api/v1/offerings/{name}</c>.</summary>
public static class OfferingEndpoints
{
    public static RouteGroupBuilder MapOfferingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Any signed-in principal may read the catalog: it is what they choose from.
        var group = endpoints.MapGroup("/api/v1/offerings").WithTags("Offerings").RequireAuthorization();

        group.MapGet("/", (OfferingCatalog catalog) =>
                TypedResults.Ok(catalog.All.OrderBy(o => o.Name, StringComparer.Ordinal).Select(Summary).ToList()))
            .WithName("ListOfferings")
            .WithSummary("Lists the offerings tenants can deploy.");

        group.MapGet("/{name}", Results<Ok<OfferingResponse>, NotFound> (string name, OfferingCatalog catalog) =>
                catalog.Find(name) is { } offering ? TypedResults.Ok(Detail(offering)) : TypedResults.NotFound())
            .WithName("GetOffering")
            .WithSummary("Gets one offering, with the JSON Schema of the values a tenant may set.");

        return group;
    }

    private static OfferingSummary Summary(Offering o) => new(o.Name, o.Description, EngineName(o.Engine), o.Chart.Name, o.Chart.Version);

    private static OfferingResponse Detail(Offering o) => new(
        o.Name,
        o.Description,
        EngineName(o.Engine),
        new ChartResponse(o.Chart.Repository, o.Chart.Name, o.Chart.Version, o.Chart.Versions),
        o.NamespacePattern,
        o.ReplicasPath,
        o.Schema.Document,
        o.Defaults,
        ValuesPath.Leaves(o.Fixed).ToList(),
        o.Secrets.Select(s => new SecretResponse(s.Name, s.Description, s.Generate)).ToList());

    private static string EngineName(GitOpsEngine engine) => engine == GitOpsEngine.ArgoCd ? "argocd" : "flux";
}

public sealed record OfferingSummary(string Name, string Description, string Engine, string Chart, string Version);

public sealed record ChartResponse(string Repository, string Name, string Version, IReadOnlyList<string> Versions);

public sealed record SecretResponse(string Name, string? Description, bool Generated);

/// <summary>An offering as the API shows it. <c>Fixed</c> lists the value paths the platform sets, not their values.</summary>
public sealed record OfferingResponse(
    string Name,
    string Description,
    string Engine,
    ChartResponse Chart,
    string NamespacePattern,
    string? ReplicasPath,
    JsonObject Schema,
    JsonObject Defaults,
    IReadOnlyList<string> Fixed,
    IReadOnlyList<SecretResponse> Secrets);
