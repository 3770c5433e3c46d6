using System.Security.Claims;
using Gantry.Core.Catalog;
using Gantry.Core.Identity;
using Gantry.Core.Rendering;
using Gantry.Server.Audit;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Gantry.Server.Hosting;

namespace Gantry.Server.Instances;

/// <summary>Where clusters clone the desired-state repository from. Bound from the <c>Bootstrap</c> section.</summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Bootstrap";

    /// <summary>The URL a cluster's GitOps engine clones; defaults to <c>Git:Remote</c> (credentials removed).</summary>
    public string? RepositoryUrl { get; set; }

    /// <summary>The Secret holding the clone credentials on the cluster (Flux: in flux-system); null for a public repository.</summary>
    public string? SecretName { get; set; } = "gantry-git";

    /// <summary>The URL a cluster clones: <see cref="RepositoryUrl"/>, or the http(s) remote without credentials; null when there is none.</summary>
    public string? CloneUrl(Git.GitOptions git) => RepositoryUrl ?? WithoutCredentials(git.Remote);

    private static string? WithoutCredentials(string? remote)
    {
        if (string.IsNullOrWhiteSpace(remote))
        {
            return null;
        }

        return Uri.TryCreate(remote, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.ToString()
            : null; // a local path or file:// remote is on this machine, not reachable by a cluster
    }
}

public sealed record ReindexResponse(int Tenants, int Instances, int Environments, IReadOnlyList<Environments.UnreadableClaim> UnreadableClaims);

/// <summary>What the node pool migration of environments rewrote (empty when nothing was left to migrate).</summary>
public sealed record EnvironmentMigrationResponse(IReadOnlyList<Environments.MigratedEnvironment> Migrated);

/// <summary>Platform administrators: cluster bootstrap manifests and rebuilding the instance index from Git.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/bootstrap", Bootstrap)
            .WithTags("Admin")
            .RequireAuthorization()
            .AnswersProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden)
            .WithName("GetBootstrap")
            .WithSummary("The manifests to apply once to a cluster so Flux (engine=flux) or Argo CD (engine=argocd) follows Gantry's repository.");
        endpoints.MapPost("/api/v1/admin/reindex", ReindexAsync)
            .WithTags("Admin")
            .RequireAuthorization()
            .AnswersProblems(StatusCodes.Status403Forbidden)
            .WithName("Reindex")
            .WithSummary("Rebuilds the instance index from the claims in Git and the environment index from the environments bucket.");
        endpoints.MapPost("/api/v1/admin/environments/migrate", MigrateEnvironmentsAsync)
            .WithTags("Admin")
            .RequireAuthorization()
            .AnswersProblems(StatusCodes.Status403Forbidden)
            .WithName("MigrateEnvironments")
            .WithSummary("Migrates environments stored before node pools (environment pool = node pool): every service gets a node pool, rendered again; audited per environment. Idempotent.");
        endpoints.MapPost("/api/v1/admin/environments/rerender", RerenderEnvironmentsAsync)
            .WithTags("Admin")
            .RequireAuthorization()
            .AnswersProblems(StatusCodes.Status403Forbidden)
            .AnswersProblems(StatusCodes.Status400BadRequest)
            .WithName("RerenderEnvironments")
            .WithSummary("Renders every environment (of the given type) again and rewrites those whose manifests changed, static ones in one commit: how a changed add-on bundle reaches the environments.");
        return endpoints;
    }

    internal static Results<ContentHttpResult, ProblemHttpResult> Bootstrap(
        string? engine, ClaimsPrincipal user, IOptions<BootstrapOptions> options, IOptions<Git.GitOptions> git)
    {
        if (!user.ToPrincipal().IsPlatformAdmin)
        {
            return AccessDecision.Forbidden.ToProblem();
        }

        var chosen = engine switch
        {
            "flux" => GitOpsEngine.Flux,
            "argocd" => GitOpsEngine.ArgoCd,
            _ => throw Core.Validation.ValidationFailedException.For("engine", "must be flux or argocd"),
        };

        var url = options.Value.CloneUrl(git.Value);
        if (url is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "No repository a cluster can reach.",
                detail: "Gantry keeps its state in a local repository only. Configure Git:Remote (or Bootstrap:RepositoryUrl) so a cluster can clone it.");
        }

        var yaml = BootstrapRenderer.Render(chosen, new BootstrapSource
        {
            RepositoryUrl = url,
            Branch = git.Value.Branch,
            SecretName = options.Value.SecretName,
        });
        return TypedResults.Text(yaml, "application/yaml");
    }

    internal static async Task<Results<Ok<ReindexResponse>, ProblemHttpResult>> ReindexAsync(
        ClaimsPrincipal user, InstanceService instances, Environments.EnvironmentManager environments, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (!principal.IsPlatformAdmin)
        {
            return AccessDecision.Forbidden.ToProblem();
        }

        var (tenants, count) = await instances.ReindexAsync(context.RequestAborted);
        await audit.RecordAsync(context, principal, "instances.reindex", detail: $"{count} instances in {tenants} tenants");
        var rebuilt = await environments.ReindexAsync(context.RequestAborted);
        var unreadable = rebuilt.Unreadable.Count == 0 ? "" : $"; {rebuilt.Unreadable.Count} claims unreadable and kept as they were: "
            + string.Join(" ", rebuilt.Unreadable.Take(10).Select(u => u.Problem));
        await audit.RecordAsync(context, principal, Environments.EnvironmentAuditActions.Reindexed, detail: $"{rebuilt.Environments} environments{unreadable}");
        return TypedResults.Ok(new ReindexResponse(tenants, count, rebuilt.Environments, rebuilt.Unreadable));
    }

    internal static async Task<Results<Ok<Environments.RerenderResult>, ProblemHttpResult>> RerenderEnvironmentsAsync(
        ClaimsPrincipal user, Environments.EnvironmentRerenderService rerender, Environments.EnvironmentManager environments, AuditLog audit, HttpContext context,
        string? type = null)
    {
        var principal = user.ToPrincipal();
        if (!principal.IsPlatformAdmin)
        {
            return AccessDecision.Forbidden.ToProblem();
        }

        if (type is not null && environments.Policies.Type(type) is null)
        {
            throw Core.Validation.ValidationFailedException.For("type", $"must be one of: {string.Join(", ", environments.Policies.Types.Keys.Order(StringComparer.Ordinal))}");
        }

        var result = await rerender.RunAsync(type, detail => audit.RecordAsync(context, principal, Environments.EnvironmentAuditActions.Rerendered, detail: detail), context.RequestAborted);
        return TypedResults.Ok(result);
    }

    internal static async Task<Results<Ok<EnvironmentMigrationResponse>, ProblemHttpResult>> MigrateEnvironmentsAsync(
        ClaimsPrincipal user, Environments.EnvironmentPoolMigrationService migration, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (!principal.IsPlatformAdmin)
        {
            return AccessDecision.Forbidden.ToProblem();
        }

        var migrated = await migration.RunAsync(
            e => audit.RecordAsync(context, principal, Environments.EnvironmentAuditActions.Migrated, e.Pool, e.Name, e.Detail), context.RequestAborted);
        return TypedResults.Ok(new EnvironmentMigrationResponse(migrated));
    }
}
