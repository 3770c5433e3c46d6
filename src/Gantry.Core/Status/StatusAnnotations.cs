namespace Gantry.Core.Status;

/// <summary>
/// The annotations Gantry stamps on every object an engine reports on, so that an event names the exact change it is
/// about. Flux forwards every <c>event.toolkit.fluxcd.io/&lt;key&gt;</c> annotation of a HelmRelease or Kustomization
/// as event metadata <c>&lt;key&gt;</c> (Flux 2.5+, notification-controller event_handlers.go combineEventMetadata);
/// Gantry's Argo CD notification template sends the Application's annotations.
/// </summary>
public static class StatusAnnotations
{
    public const string FluxEventPrefix = "event.toolkit.fluxcd.io/";

    /// <summary>The metadata keys of a Flux event, as the annotations above arrive (prefix stripped).</summary>
    public const string TenantKey = "gantry-tenant";
    public const string InstanceKey = "gantry-instance";
    public const string GenerationKey = "gantry-generation";

    /// <summary>On an environment's service objects (tenant = the environment's pool): the environment, the service and the version deployed.</summary>
    public const string EnvironmentKey = "gantry-environment";
    public const string ServiceKey = "gantry-service";
    public const string VersionKey = "gantry-version";

    /// <summary>The same facts on Argo CD Applications, under Gantry's own prefix.</summary>
    public const string TenantAnnotation = "gantry.dev/tenant";
    public const string InstanceAnnotation = "gantry.dev/instance";
    public const string GenerationAnnotation = "gantry.dev/generation";

    public static string FluxAnnotation(string key) => FluxEventPrefix + key;
}
