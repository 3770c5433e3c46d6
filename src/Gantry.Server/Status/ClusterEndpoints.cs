using System.Net;
using System.Security.Claims;
using Gantry.Core.Catalog;
using Gantry.Core.Identity;
using Gantry.Core.Status;
using Gantry.Core.Validation;
using Gantry.Data.Clusters;
using Gantry.Data.Tenants;
using Gantry.Server.Audit;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Status;

/// <summary>A cluster to register: its engine, the tenants it reports for, and where its engine is told of new commits.</summary>
public sealed record ClusterRequest(string? Name, string? Engine, IReadOnlyList<string>? Tenants, string? NotifyUrl);

/// <summary>A change to a cluster: what is given replaces what it had (an empty <see cref="NotifyUrl"/> removes it); the secret stays.</summary>
public sealed record ClusterUpdate(IReadOnlyList<string>? Tenants, string? NotifyUrl);

/// <summary>
/// A registered cluster. <see cref="WebhookUrl"/> is where its engine sends events; <see cref="NotifyUrl"/> where
/// Gantry tells it of commits (its Flux receiver or Argo CD server), with how that has gone.
/// </summary>
public sealed record ClusterResponse(
    string Name,
    string Engine,
    IReadOnlyList<string> Tenants,
    string? NotifyUrl,
    string WebhookUrl,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset SecretRotatedAt,
    DateTimeOffset? LastEventAt,
    ClusterNotificationState Notifications);

/// <summary>The answer to a registration or a rotation: the webhook secret and the setup that holds it, shown this once.</summary>
public sealed record ClusterSecretResponse(ClusterResponse Cluster, string WebhookSecret, string Setup)
{
    public string Notice => "The webhook secret is shown only in this answer; Gantry keeps no copy in clear. Apply the setup now, or POST .../rotate-secret for a new one.";
}

/// <summary>
/// <c>/api/v1/clusters</c>: where GitOps engines run. Platform administrators register any cluster; a tenant admin
/// may register one bound to their own tenant only (Flux in the customer's cluster, as in the runner design) and sees
/// and manages only clusters bound to tenants they administer.
/// </summary>
public static class ClusterEndpoints
{
    public const int MaxTenantsPerCluster = 1_000;
    private const int MaxUrlLength = 2_048;

    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/clusters").WithTags("Clusters").RequireAuthorization().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        group.MapPost("/", CreateAsync).WithName("CreateCluster")
            .WithSummary("Registers a cluster; the answer holds its webhook URL and secret and the setup manifests, shown once.");
        group.MapGet("/", ListAsync).WithName("ListClusters").WithSummary("The clusters you may manage.");
        group.MapGet("/{name}", GetAsync).WithName("GetCluster").WithSummary("A cluster, its tenants, its last event and how notifying it has gone.");
        group.MapPatch("/{name}", UpdateAsync).WithName("UpdateCluster")
            .WithSummary("Changes the tenants a cluster serves and where its engine is told of commits; the webhook secret stays.");
        group.MapDelete("/{name}", DeleteAsync).WithName("DeleteCluster").WithSummary("Removes a cluster: its events are refused from now on.");
        group.MapPost("/{name}/rotate-secret", RotateSecretAsync).WithName("RotateClusterSecret")
            .WithSummary("Makes a new webhook secret (the old one stops working) and answers it with the setup that holds it, once.");
        group.MapGet("/{name}/setup", Setup).WithName("GetClusterSetup")
            .WithSummary("The manifests to apply in the cluster (YAML), without the secret, which was shown at registration or rotation.");
        return endpoints;
    }

    internal static async Task<Results<Created<ClusterSecretResponse>, ProblemHttpResult>> CreateAsync(
        ClusterRequest request, ClaimsPrincipal user, ClusterRepository clusters, ClusterCache cache, TenantRepository tenants, ClusterSecrets secrets,
        AuditLog audit, TimeProvider time, IOptions<GantryOptions> gantry, HttpContext context)
    {
        var principal = user.ToPrincipal();
        var errors = new ValidationErrors();
        ResourceName.Validate(request.Name, "name", errors);
        if (request.Engine is null || !ClusterEngines.All.Contains(request.Engine, StringComparer.Ordinal))
        {
            errors.Add("engine", $"must be one of: {string.Join(", ", ClusterEngines.All)}");
        }

        var bound = request.Tenants ?? [];
        ValidateTenants(bound, errors);
        ValidateNotifyUrl(request.NotifyUrl, principal.IsPlatformAdmin, errors);
        errors.ThrowIfAny();
        if (RefuseBinding(principal, bound) is { } refusal)
        {
            return refusal;
        }

        await CheckTenantsExistAsync(bound, tenants, context.RequestAborted);
        var now = time.GetUtcNow();
        var nonce = ClusterSecrets.NewNonce();
        var secret = secrets.Derive(request.Name!, nonce);
        var cluster = new ClusterRecord
        {
            Name = request.Name!,
            Engine = request.Engine!,
            NotifyUrl = request.NotifyUrl,
            Tenants = [.. bound.Order(StringComparer.Ordinal)],
            SecretNonce = nonce,
            SecretHash = ClusterSecrets.Hash(secret),
            CreatedBy = principal.Name,
            CreatedAt = now,
            RotatedAt = now,
        };
        if (!await clusters.InsertAsync(cluster, context.RequestAborted))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The name is taken.",
                detail: $"A cluster named '{cluster.Name}' is registered already; choose another name.");
        }

        cache.Forget(cluster.Name); // a webhook call may have found no cluster of this name a moment ago

        await audit.RecordAsync(context, principal, "cluster.create", bound.Count == 1 ? bound[0] : null, cluster.Name,
            $"{cluster.Engine}, tenants {string.Join(", ", cluster.Tenants)}");
        context.Response.Headers.CacheControl = "no-store";
        var response = Describe(cluster, context, gantry.Value, notifier: null);
        return TypedResults.Created($"/api/v1/clusters/{cluster.Name}", new ClusterSecretResponse(response, secret, SetupYaml(response, secret)));
    }

    internal static async Task<Ok<IReadOnlyList<ClusterResponse>>> ListAsync(
        ClaimsPrincipal user, ClusterRepository clusters, EngineNotifier notifier, IOptions<GantryOptions> gantry, HttpContext context)
    {
        var principal = user.ToPrincipal();
        var all = await clusters.ListAsync(context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<ClusterResponse>>([.. all.Where(c => MayManage(principal, c)).Select(c => Describe(c, context, gantry.Value, notifier))]);
    }

    internal static async Task<Results<Ok<ClusterResponse>, ProblemHttpResult>> GetAsync(
        string name, ClaimsPrincipal user, ClusterRepository clusters, EngineNotifier notifier, IOptions<GantryOptions> gantry, HttpContext context) =>
        await FindManagedAsync(name, user.ToPrincipal(), clusters, context) is { } cluster
            ? TypedResults.Ok(Describe(cluster, context, gantry.Value, notifier))
            : NotFound(name);

    internal static async Task<Results<Ok<ClusterResponse>, ProblemHttpResult>> UpdateAsync(
        string name, ClusterUpdate update, ClaimsPrincipal user, ClusterRepository clusters, ClusterCache cache, TenantRepository tenants, EngineNotifier notifier,
        AuditLog audit, IOptions<GantryOptions> gantry, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (await FindManagedAsync(name, principal, clusters, context) is not { } cluster)
        {
            return NotFound(name);
        }

        var errors = new ValidationErrors();
        var bound = update.Tenants ?? cluster.Tenants;
        ValidateTenants(bound, errors);
        var notifyUrl = update.NotifyUrl is null ? cluster.NotifyUrl : update.NotifyUrl.Length == 0 ? null : update.NotifyUrl;
        if (update.NotifyUrl is { Length: > 0 })
        {
            ValidateNotifyUrl(update.NotifyUrl, principal.IsPlatformAdmin, errors);
        }

        errors.ThrowIfAny();
        if (RefuseBinding(principal, bound) is { } refusal)
        {
            return refusal;
        }

        await CheckTenantsExistAsync(bound, tenants, context.RequestAborted);
        var sorted = bound.Order(StringComparer.Ordinal).ToList();
        if (!await clusters.UpdateAsync(cluster.Name, notifyUrl, sorted, context.RequestAborted))
        {
            return NotFound(name);
        }

        cache.Forget(cluster.Name);

        await audit.RecordAsync(context, principal, "cluster.update", sorted.Count == 1 ? sorted[0] : null, cluster.Name,
            $"tenants {string.Join(", ", sorted)}, notify {(notifyUrl is null ? "none" : "set")}");
        return TypedResults.Ok(Describe(cluster with { NotifyUrl = notifyUrl, Tenants = sorted }, context, gantry.Value, notifier));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, ClaimsPrincipal user, ClusterRepository clusters, ClusterCache cache, AuditLog audit, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (await FindManagedAsync(name, principal, clusters, context) is not { } cluster)
        {
            return NotFound(name);
        }

        await clusters.DeleteAsync(cluster.Name, context.RequestAborted);
        cache.Forget(cluster.Name);
        await audit.RecordAsync(context, principal, "cluster.delete", cluster.Tenants.Count == 1 ? cluster.Tenants[0] : null, cluster.Name);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<ClusterSecretResponse>, ProblemHttpResult>> RotateSecretAsync(
        string name, ClaimsPrincipal user, ClusterRepository clusters, ClusterCache cache, ClusterSecrets secrets, EngineNotifier notifier, AuditLog audit,
        TimeProvider time, IOptions<GantryOptions> gantry, HttpContext context)
    {
        var principal = user.ToPrincipal();
        if (await FindManagedAsync(name, principal, clusters, context) is not { } cluster)
        {
            return NotFound(name);
        }

        var nonce = ClusterSecrets.NewNonce();
        var secret = secrets.Derive(cluster.Name, nonce);
        var now = time.GetUtcNow();
        if (!await clusters.RotateSecretAsync(cluster.Name, nonce, ClusterSecrets.Hash(secret), now, context.RequestAborted))
        {
            return NotFound(name);
        }

        cache.Forget(cluster.Name);

        await audit.RecordAsync(context, principal, "cluster.secret.rotate", cluster.Tenants.Count == 1 ? cluster.Tenants[0] : null, cluster.Name);
        context.Response.Headers.CacheControl = "no-store";
        var response = Describe(cluster with { SecretNonce = nonce, RotatedAt = now }, context, gantry.Value, notifier);
        return TypedResults.Ok(new ClusterSecretResponse(response, secret, SetupYaml(response, secret)));
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> Setup(
        string name, ClaimsPrincipal user, ClusterRepository clusters, IOptions<GantryOptions> gantry, HttpContext context)
    {
        if (await FindManagedAsync(name, user.ToPrincipal(), clusters, context) is not { } cluster)
        {
            return NotFound(name);
        }

        return TypedResults.Text(SetupYaml(Describe(cluster, context, gantry.Value, notifier: null), secret: null), "application/yaml");
    }

    /// <summary>Whether <paramref name="principal"/> may see and manage <paramref name="cluster"/>: every tenant it serves is theirs to administer.</summary>
    public static bool MayManage(Principal principal, ClusterRecord cluster) =>
        principal.IsPlatformAdmin || (cluster.Tenants.Count > 0 && cluster.Tenants.All(t => principal.RoleIn(t) == TenantRole.Admin));

    /// <summary>The URL a cluster's engine sends events to.</summary>
    public static string WebhookUrl(HttpContext context, GantryOptions gantry, string engine, string cluster)
    {
        var request = context.Request;
        var root = gantry.PublicUrl is { Length: > 0 } configured ? configured.TrimEnd('/') : $"{request.Scheme}://{request.Host}{request.PathBase}";
        return $"{root}/api/v1/webhooks/{engine}/{cluster}";
    }

    private static async Task<ClusterRecord?> FindManagedAsync(string name, Principal principal, ClusterRepository clusters, HttpContext context) =>
        ResourceName.IsDns1123Label(name) && await clusters.FindAsync(name, context.RequestAborted) is { } cluster && MayManage(principal, cluster)
            ? cluster : null;

    private static ClusterResponse Describe(ClusterRecord cluster, HttpContext context, GantryOptions gantry, EngineNotifier? notifier) => new(
        cluster.Name, cluster.Engine, cluster.Tenants, cluster.NotifyUrl, WebhookUrl(context, gantry, cluster.Engine, cluster.Name),
        cluster.CreatedBy, cluster.CreatedAt, cluster.RotatedAt, cluster.LastEventAt,
        notifier?.StateOf(cluster.Name) ?? ClusterNotificationState.None);

    private static string SetupYaml(ClusterResponse cluster, string? secret) => ClusterSetupRenderer.RenderYaml(new ClusterSetup
    {
        ClusterName = cluster.Name,
        Engine = cluster.Engine == ClusterEngines.Flux ? GitOpsEngine.Flux : GitOpsEngine.ArgoCd,
        WebhookUrl = cluster.WebhookUrl,
        Secret = secret,
        Tenants = cluster.Tenants,
    });

    private static void ValidateTenants(IReadOnlyList<string> bound, ValidationErrors errors)
    {
        if (bound.Count is 0 or > MaxTenantsPerCluster)
        {
            errors.Add("tenants", $"must name 1 to {MaxTenantsPerCluster} tenants whose instances the cluster deploys");
        }

        foreach (var (tenant, index) in bound.Select((t, i) => (t, i)))
        {
            ResourceName.Validate(tenant, $"tenants[{index}]", errors);
        }

        if (bound.Distinct(StringComparer.Ordinal).Count() != bound.Count)
        {
            errors.Add("tenants", "names a tenant more than once");
        }
    }

    // A tenant admin binds a cluster to their own tenant only; naming any other is refused without saying whether it exists.
    private static ProblemHttpResult? RefuseBinding(Principal principal, IReadOnlyList<string> bound) =>
        principal.IsPlatformAdmin || (bound.Count == 1 && principal.RoleIn(bound[0]) == TenantRole.Admin)
            ? null
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.",
                detail: "A tenant admin may bind a cluster to their own tenant only; platform administrators manage shared clusters.");

    private static async Task CheckTenantsExistAsync(IReadOnlyList<string> bound, TenantRepository tenants, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        foreach (var (tenant, index) in bound.Select((t, i) => (t, i)))
        {
            if (await tenants.FindAsync(tenant, cancellationToken) is null)
            {
                errors.Add($"tenants[{index}]", $"there is no tenant '{tenant}'");
            }
        }

        errors.ThrowIfAny();
    }

    // Gantry posts to this URL from inside the platform: a tenant admin may not point it at Gantry's own host or
    // other loopback, link-local (cloud metadata) or unspecified addresses.
    private static void ValidateNotifyUrl(string? url, bool platformAdmin, ValidationErrors errors)
    {
        if (url is null)
        {
            return;
        }

        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add("notifyUrl", $"must be an absolute http(s) URL of at most {MaxUrlLength} characters without credentials, query or fragment: the cluster's Flux receiver or Argo CD server");
            return;
        }

        // The connection is guarded again when it is made (OutboundTargetGuard): a name can resolve anywhere.
        if (!platformAdmin && (uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && OutboundTargetGuard.Refusal(address, allowLoopback: false) is not null)))
        {
            errors.Add("notifyUrl", "must not be a loopback, link-local, unspecified or multicast address");
        }
    }

    private static ProblemHttpResult NotFound(string name) => AccessDecisionResults.NotFound($"There is no cluster '{name}' that you manage.");
}
