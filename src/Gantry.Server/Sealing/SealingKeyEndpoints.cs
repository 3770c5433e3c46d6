using System.Security.Claims;
using System.Text.Json;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Data.Sealing;
using Gantry.Data.Tenants;
using Gantry.Sealing;
using Gantry.Sealing.Keys;
using Gantry.Sealing.Manifests;
using Gantry.Server.Audit;
using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Sealing;

/// <summary>A sealing key as shown: the certificate's facts, never private material.</summary>
public sealed record SealingKeyResponse(string KeyId, string Mode, DateTimeOffset CreatedAt, DateTimeOffset NotAfter, string Fingerprint,
    bool PrivateKeyDownloaded, DateTimeOffset? PrivateKeyDownloadedAt, bool Escrowed)
{
    public static SealingKeyResponse From(SealingKeyRecord key) => new(key.Id, key.Mode, key.CreatedAt, key.NotAfter,
        SealingCertificate.ParseUnchecked(key.CertificatePem).Fingerprint, key.DownloadedAt is not null, key.DownloadedAt, key.EscrowedKey is not null);
}

/// <summary>The answer to a rotation or a certificate upload: the new active key, the retired one, and what it means for sealed values.</summary>
public sealed record SealingKeyChangeResponse(SealingKeyResponse Key, string? RetiredKeyId, string Notice);

/// <summary>A controller certificate to use: the PEM itself or the URL of the controller's <c>/v1/cert.pem</c>.</summary>
public sealed record ControllerCertRequest
{
    public string? Pem { get; init; }

    public string? Url { get; init; }
}

/// <summary>
/// <c>/api/v1/tenants/{tenant}/sealing-key</c>: the certificate to seal with (any member), the one private key
/// download, rotation and controller certificate upload (tenant admins).
/// </summary>
public static class SealingKeyEndpoints
{
    public const string PemContentType = "application/x-pem-file";

    private const string RotationNotice =
        "New secrets are sealed with the new key. Values sealed before stay decryptable only with the old private key, " +
        "which you keep: leave the old key Secret in your controller's namespace (the controller tries every key it holds).";

    public static IEndpointRouteBuilder MapSealingKeyEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/tenants/{tenant}/sealing-key").WithTags("Sealing key").RequireAuthorization().AnswersProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status410Gone);
        group.MapGet("/", GetAsync).WithName("GetSealingKey")
            .WithSummary("The active sealing certificate as PEM (like a controller's /v1/cert.pem), or its facts with ?format=json.");
        group.MapGet("/private-key", DownloadPrivateKeyAsync).WithName("DownloadSealingPrivateKey")
            .WithSummary("Once: the private key as a ready-to-apply Sealed Secrets controller key Secret (YAML). Later requests answer 410.");
        group.MapPost("/recover", RecoverAsync).WithName("RecoverSealingPrivateKey")
            .WithSummary("Platform administrators only, with escrow: the escrowed private key (?keyId=, default the active key) as the controller key Secret.");
        group.MapPost("/rotate", RotateAsync).WithName("RotateSealingKey")
            .WithSummary("Makes a new key pair active; the old key is retired and its certificate kept.");
        group.MapPut("/controller-cert", UploadControllerCertAsync).WithName("PutControllerCertificate")
            .WithSummary("Uses a Sealed Secrets controller's certificate (PEM body, or JSON {\"pem\"} or {\"url\"}); expired ones are refused.")
            .DescribesBody<ControllerCertRequest, RouteHandlerBuilder>(PemContentType, "text/plain");
        return endpoints;
    }

    internal static async Task<Results<ContentHttpResult, Ok<SealingKeyResponse>, ProblemHttpResult>> GetAsync(
        string tenant, string? format, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, SealingKeyCustody custody,
        CancellationToken cancellationToken)
    {
        if (await RefuseAsync(user, authorizer, tenants, tenant, ResourceAction.Read, cancellationToken) is { } refusal)
        {
            return refusal;
        }

        if (format is not (null or "pem" or "json"))
        {
            throw ValidationFailedException.For("format", "must be pem (the default) or json");
        }

        if (await custody.GetOrCreateActiveAsync(tenant, cancellationToken) is not { } key)
        {
            return NoControllerCertificate(tenant);
        }

        return format == "json" ? TypedResults.Ok(SealingKeyResponse.From(key)) : TypedResults.Text(key.CertificatePem, PemContentType);
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> DownloadPrivateKeyAsync(
        string tenant, string? @namespace, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, SealingKeyCustody custody,
        AuditLog audit, HttpContext context)
    {
        if (await RefuseAsync(user, authorizer, tenants, tenant, ResourceAction.Update, context.RequestAborted) is { } refusal)
        {
            return refusal;
        }

        var controllerNamespace = ValidNamespace(@namespace);

        PrivateKeyDownload download;
        try
        {
            download = await custody.TakePrivateKeyAsync(tenant, controllerNamespace, context.RequestAborted);
        }
        catch (SealingException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The private key cannot be opened.", detail: e.Message);
        }

        switch (download.Outcome)
        {
            case PrivateKeyOutcome.NoPrivateKey:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Gantry holds no private key for this tenant.",
                    detail: "The active sealing key is a Sealed Secrets controller's certificate; its private key never leaves the controller.");
            case PrivateKeyOutcome.AlreadyDownloaded:
                return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "The private key was already downloaded.",
                    detail: $"The private key of sealing key {download.Key!.Id} was downloaded on {download.Key.DownloadedAt:yyyy-MM-dd HH:mm:ss}Z and "
                        + "Gantry no longer holds it. "
                        + (download.Key.EscrowedKey is not null
                            ? "An escrowed copy exists: a platform administrator can recover it. "
                            : "Use the copy you applied to your controller, or rotate to a new key. ")
                        + "Rotating issues a new key; values sealed before stay decryptable only with the old key.");
            default:
                await audit.RecordAsync(context, user.ToPrincipal(), AuditActions.SealingKeyDownloaded, tenant, download.Key!.Id, $"namespace {controllerNamespace}");
                return SecretYaml(context, download.Secret!);
        }
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> RecoverAsync(
        string tenant, string? keyId, string? @namespace, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants,
        SealingKeyCustody custody, AuditLog audit, HttpContext context)
    {
        if (await RefuseAsync(user, authorizer, tenants, tenant, ResourceAction.Update, context.RequestAborted) is { } refusal)
        {
            return refusal;
        }

        var principal = user.ToPrincipal();
        if (!principal.IsPlatformAdmin)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.",
                detail: "Only a platform administrator recovers an escrowed key.");
        }

        var controllerNamespace = ValidNamespace(@namespace);
        (SealingKeyRecord Key, KubernetesSecret Secret)? recovered;
        try
        {
            recovered = await custody.RecoverAsync(tenant, keyId, controllerNamespace, context.RequestAborted);
        }
        catch (SealingException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The escrowed key cannot be opened.", detail: e.Message);
        }

        if (recovered is not { } found)
        {
            return AccessDecisionResults.NotFound("There is no escrowed copy of that sealing key (escrow was off when it was made, or no such key).");
        }

        await audit.RecordAsync(context, principal, AuditActions.SealingKeyRecovered, tenant, found.Key.Id, $"namespace {controllerNamespace}");
        return SecretYaml(context, found.Secret);
    }

    internal static async Task<Results<Ok<SealingKeyChangeResponse>, ProblemHttpResult>> RotateAsync(
        string tenant, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, SealingKeyCustody custody, AuditLog audit, HttpContext context)
    {
        if (await RefuseAsync(user, authorizer, tenants, tenant, ResourceAction.Update, context.RequestAborted) is { } refusal)
        {
            return refusal;
        }

        if (custody.Mode != SealingKeyModes.TenantKey)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Gantry does not make keys in controller-cert custody.",
                detail: "Upload the controller's current certificate with PUT .../sealing-key/controller-cert instead.");
        }

        SealingKeyRecord active;
        string? retired;
        try
        {
            (active, retired) = await custody.RotateAsync(tenant, context.RequestAborted);
        }
        catch (SealingKeyConflictException e)
        {
            return Conflict(e);
        }

        await audit.RecordAsync(context, user.ToPrincipal(), AuditActions.SealingKeyRotated, tenant, active.Id, retired is null ? null : $"retired {retired}");
        return TypedResults.Ok(new SealingKeyChangeResponse(SealingKeyResponse.From(active), retired,
            RotationNotice + " Download the new private key once from GET .../sealing-key/private-key."));
    }

    internal static async Task<Results<Ok<SealingKeyChangeResponse>, ProblemHttpResult>> UploadControllerCertAsync(
        string tenant, ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, SealingKeyCustody custody,
        ControllerCertificateFetcher fetcher, AuditLog audit, TimeProvider time, HttpContext context)
    {
        if (await RefuseAsync(user, authorizer, tenants, tenant, ResourceAction.Update, context.RequestAborted) is { } refusal)
        {
            return refusal;
        }

        if (custody.Mode != SealingKeyModes.ControllerCert)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Controller certificates are used only in controller-cert custody.",
                detail: "This Gantry makes a key pair per tenant (Sealing:Custody is tenant-key); use POST .../sealing-key/rotate for a new key.");
        }

        var (field, pem) = await ReadCertificateAsync(context, fetcher);
        var errors = new ValidationErrors();
        SealingCertificate? certificate = null;
        try
        {
            certificate = pem is null ? null : SealingCertificate.Parse(pem, time);
        }
        catch (SealingException e)
        {
            errors.Add(field, e.Message);
        }

        if (certificate is null && errors.IsEmpty)
        {
            errors.Add(field, pem is null ? "give the certificate as a PEM body, or JSON {\"pem\": ...} or {\"url\": \"https://.../v1/cert.pem\"}" : "is not a certificate");
        }

        errors.ThrowIfAny();
        SealingKeyRecord active;
        string? retired;
        try
        {
            (active, retired) = await custody.UseControllerCertificateAsync(tenant, certificate!, context.RequestAborted);
        }
        catch (SealingKeyConflictException e)
        {
            return Conflict(e);
        }

        await audit.RecordAsync(context, user.ToPrincipal(), AuditActions.SealingKeyCertificateUploaded, tenant, active.Id, $"fingerprint {certificate!.Fingerprint}");
        return TypedResults.Ok(new SealingKeyChangeResponse(SealingKeyResponse.From(active), retired,
            "New secrets are sealed with this certificate. Values sealed before stay decryptable by the controller as long as it keeps its older keys."));
    }

    // The body is a PEM (any non-JSON content type) or JSON with "pem" or "url"; problems become validation errors.
    private static async Task<(string Field, string? Pem)> ReadCertificateAsync(HttpContext context, ControllerCertificateFetcher fetcher)
    {
        if (!context.Request.HasJsonContentType())
        {
            using var reader = new StreamReader(context.Request.Body);
            var text = await reader.ReadToEndAsync(context.RequestAborted);
            return ("pem", string.IsNullOrWhiteSpace(text) ? null : text);
        }

        ControllerCertRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<ControllerCertRequest>(context.RequestAborted);
        }
        catch (JsonException)
        {
            throw ValidationFailedException.For("body", "is not valid JSON");
        }

        if (request?.Url is not { } url)
        {
            return ("pem", request?.Pem);
        }

        if (request.Pem is not null)
        {
            throw ValidationFailedException.For("url", "give either pem or url, not both");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw ValidationFailedException.For("url", "must be an absolute https URL, such as https://sealed-secrets.example.com/v1/cert.pem");
        }

        try
        {
            return ("url", await fetcher.FetchAsync(uri, context.RequestAborted));
        }
        catch (CertificateFetchException e)
        {
            throw ValidationFailedException.For("url", e.Message);
        }
    }

    private static string ValidNamespace(string? @namespace)
    {
        var controllerNamespace = @namespace ?? "kube-system";
        if (!ResourceName.IsDns1123Label(controllerNamespace))
        {
            throw ValidationFailedException.For("namespace", "must be a DNS-1123 label: the namespace of your Sealed Secrets controller");
        }

        return controllerNamespace;
    }

    // The private key leaves here: never cached, saved as a file by browsers.
    private static ContentHttpResult SecretYaml(HttpContext context, KubernetesSecret secret)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{secret.Metadata.Name}.yaml\"";
        return TypedResults.Text(ManifestSerializer.Write(secret, ManifestFormat.Yaml), "application/yaml");
    }

    private static ProblemHttpResult Conflict(SealingKeyConflictException e) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Another change got there first.", detail: e.Message);

    private static async Task<ProblemHttpResult?> RefuseAsync(
        ClaimsPrincipal user, IAuthorizer authorizer, TenantRepository tenants, string tenant, ResourceAction action, CancellationToken cancellationToken)
    {
        if (authorizer.Refuse(user.ToPrincipal(), action, ResourceRef.InTenant(tenant, ResourceKinds.SealingKey)) is { } refusal)
        {
            return refusal;
        }

        return await tenants.FindAsync(tenant, cancellationToken) is null ? AccessDecisionResults.NotFound() : null;
    }

    private static ProblemHttpResult NoControllerCertificate(string tenant) => AccessDecisionResults.NotFound(
        $"Tenant '{tenant}' has no sealing certificate yet: upload its controller's certificate with PUT .../sealing-key/controller-cert.");
}
