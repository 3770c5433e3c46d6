using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Rendering;
using Gantry.Core.Yaml;
using static Gantry.Core.Rendering.Manifests;

namespace Gantry.Core.Status;

/// <summary>
/// The manifests a platform team applies to a cluster so that its GitOps engine reports deployment status to Gantry
/// and accepts Gantry's "new commit" notifications. One secret per cluster serves both directions. Flux: a Provider
/// (generic-hmac, the secret is the HMAC key of the events sent to Gantry), an Alert over the bound tenants'
/// namespaces, and a Receiver (generic-hmac) that reconciles the bootstrap GitRepository when Gantry signs a
/// notification with the secret. Argo CD: a webhook service, template and trigger per followed event, and a default
/// subscription in <c>argocd-notifications-cm</c> (the secret is the bearer token the webhook sends), and the GitHub
/// webhook secret Gantry signs its <c>/api/webhook</c> pushes with. Pure: no I/O.
/// </summary>
public static partial class ClusterSetupRenderer
{
    /// <summary>The Flux Secret in flux-system (key <c>token</c>) that the Provider and the Receiver share.</summary>
    public const string SecretName = "gantry-webhook";

    internal const string Name = "gantry";
    internal const string FluxNamespace = "flux-system";
    internal const string NotificationsConfigMap = "argocd-notifications-cm";
    internal const string NotificationsSecret = "argocd-notifications-secret";
    internal const string NotificationsSecretKey = "gantry-webhook-token";
    internal const string ArgoCdSecret = "argocd-secret";
    internal const string GitHubWebhookSecretKey = "webhook.github.secret";

    // Gantry's HelmReleases live in the tenant's namespace (FluxRenderer), and so do its Kustomizations.
    private static readonly string[] FluxEventKinds = ["HelmRelease", "Kustomization"];

    /// <summary>
    /// Which Applications send to Gantry: Gantry's instance Applications. <c>managed-by=gantry</c> alone would also
    /// take the tenants' app-of-apps (BootstrapRenderer's ApplicationSet), which carry no instance annotations, so the
    /// body template's <c>index</c> over them would fail; only instance Applications carry <c>gantry.dev/instance</c>.
    /// </summary>
    internal const string ArgoCdSelector = "app.kubernetes.io/managed-by=" + ManagedBy + ",gantry.dev/instance";

    /// <summary>
    /// The objects for <paramref name="setup"/>'s engine, in apply order. Flux (flux-system): the Secret (only with a
    /// secret), Provider, Alert (only with a bound tenant) and Receiver. Argo CD (argocd): argocd-notifications-cm, and
    /// with a secret argocd-notifications-secret and argocd-secret, which apply merges into Argo CD's own.
    /// </summary>
    public static IReadOnlyList<JsonObject> Render(ClusterSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentException.ThrowIfNullOrWhiteSpace(setup.WebhookUrl);
        return setup.Engine switch
        {
            GitOpsEngine.Flux => [.. Flux(setup)],
            GitOpsEngine.ArgoCd => [.. ArgoCd(setup)],
            _ => throw new ArgumentOutOfRangeException(nameof(setup), setup.Engine, "unknown GitOps engine"),
        };
    }

    /// <summary><see cref="Render"/> as one multi-document YAML text, ready for <c>kubectl apply -f -</c>.</summary>
    public static string RenderYaml(ClusterSetup setup) => YamlWriter.WriteAll(Render(setup));

    /// <summary>
    /// The path of the cluster's Flux Receiver under notification-controller's webhook-receiver service:
    /// <c>"/hook/"</c> + lowercase hex SHA-256 of (token + receiver name + receiver namespace), receiver <c>gantry</c>
    /// in <c>flux-system</c>. Flux: api/v1/receiver_types.go GetWebhookPath.
    /// </summary>
    public static string FluxReceiverPath(string token) => FluxReceiverPath(token, Name, FluxNamespace);

    internal static string FluxReceiverPath(string token, string receiverName, string receiverNamespace)
    {
        ArgumentNullException.ThrowIfNull(token);
        return "/hook/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token + receiverName + receiverNamespace)));
    }

    private static IEnumerable<JsonObject> Flux(ClusterSetup setup)
    {
        if (setup.Secret is { } secret)
        {
            // One key serves both: the Provider's HMAC key (internal/notifier/forwarder.go) and the Receiver's token
            // (internal/server/receiver_handlers.go); both read .data.token.
            yield return Secret(SecretName, FluxNamespace, FluxLabels(), new JsonObject { ["token"] = secret });
        }

        yield return Object("notification.toolkit.fluxcd.io/v1beta3", "Provider", Name, FluxNamespace, FluxLabels(), new JsonObject
        {
            ["type"] = "generic-hmac",
            ["address"] = setup.WebhookUrl,
            ["secretRef"] = new JsonObject { ["name"] = SecretName },
        });

        // eventSources is required and an empty list would match nothing: with no tenant bound, no Alert.
        var tenants = setup.Tenants.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (tenants.Count > 0)
        {
            var sources = tenants.SelectMany(tenant => FluxEventKinds.Select(kind => (JsonNode)new JsonObject
            {
                ["kind"] = kind,
                ["name"] = "*",
                ["namespace"] = tenant,
            }));
            yield return Object("notification.toolkit.fluxcd.io/v1beta3", "Alert", Name, FluxNamespace, FluxLabels(), new JsonObject
            {
                ["providerRef"] = new JsonObject { ["name"] = Name },
                ["eventSeverity"] = "info",
                ["eventSources"] = new JsonArray([.. sources]),
            });
        }

        yield return Object("notification.toolkit.fluxcd.io/v1", "Receiver", Name, FluxNamespace, FluxLabels(), new JsonObject
        {
            ["type"] = "generic-hmac",
            ["secretRef"] = new JsonObject { ["name"] = SecretName },
            ["resources"] = Array(new JsonObject
            {
                ["apiVersion"] = "source.toolkit.fluxcd.io/v1",
                ["kind"] = "GitRepository",
                ["name"] = setup.GitRepositoryName,
                ["namespace"] = FluxNamespace,
            }),
        });
    }

    private static IEnumerable<JsonObject> ArgoCd(ClusterSetup setup)
    {
        var data = new JsonObject
        {
            [$"service.webhook.{Name}"] = YamlWriter.Write(new JsonObject
            {
                ["url"] = setup.WebhookUrl,
                // Argo CD resolves "$key" in a service's settings from argocd-notifications-secret
                // (notifications-engine pkg/api/config.go replaceStringSecret).
                ["headers"] = Array(
                    new JsonObject { ["name"] = "Authorization", ["value"] = $"Bearer ${NotificationsSecretKey}" },
                    new JsonObject { ["name"] = "Content-Type", ["value"] = "application/json" }),
            }),
            // A default subscription, so Gantry's Applications send to the webhook without an annotation of their own.
            // "gantry" alone is the service with an empty recipient (pkg/api/config.go GetGlobalDestinations).
            ["subscriptions"] = YamlWriter.Write(Array(new JsonObject
            {
                ["recipients"] = Array(JsonValue.Create(Name)),
                ["triggers"] = new JsonArray([.. ArgoCdTriggers.Select(t => (JsonNode)JsonValue.Create(TriggerName(t.Upstream)))]),
                ["selector"] = ArgoCdSelector,
            })),
        };
        foreach (var trigger in ArgoCdTriggers)
        {
            var name = TriggerName(trigger.Upstream);
            data[$"template.{name}"] = YamlWriter.Write(new JsonObject
            {
                ["webhook"] = new JsonObject
                {
                    [Name] = new JsonObject { ["method"] = "POST", ["body"] = ArgoCdBody(trigger.Upstream) },
                },
            });
            data[$"trigger.{name}"] = YamlWriter.Write(Array(new JsonObject
            {
                ["when"] = trigger.When,
                ["description"] = trigger.Description,
                ["send"] = Array(JsonValue.Create(name)),
                ["oncePer"] = OncePer(trigger.OncePer),
            }));
        }

        var configMap = Object("v1", "ConfigMap", NotificationsConfigMap, ArgoCdRenderer.ArgoCdNamespace, ArgoCdLabels());
        configMap["data"] = data;
        yield return configMap;

        if (setup.Secret is { } secret)
        {
            yield return Secret(NotificationsSecret, ArgoCdRenderer.ArgoCdNamespace, ArgoCdLabels(), new JsonObject { [NotificationsSecretKey] = secret });

            // kubectl apply merges this key into the argocd-secret Argo CD installed (its other keys stay): Argo CD then
            // checks X-Hub-Signature-256 of the pushes Gantry sends to /api/webhook (util/webhook/webhook.go).
            yield return Secret(ArgoCdSecret, ArgoCdRenderer.ArgoCdNamespace, ArgoCdLabels(), new JsonObject { [GitHubWebhookSecretKey] = secret });
        }
    }

    private static JsonObject Secret(string name, string ns, JsonObject labels, JsonObject stringData)
    {
        var secret = Object("v1", "Secret", name, ns, labels);
        secret["type"] = "Opaque";
        secret["stringData"] = stringData;
        return secret;
    }

    private static JsonObject FluxLabels() => new() { ["app.kubernetes.io/managed-by"] = ManagedBy };

    // These are Argo CD's own configuration objects, which Gantry only adds keys to: they keep Argo CD's label (Argo CD
    // reads only ConfigMaps labelled part-of=argocd) and never get managed-by=gantry, so that nothing pruning Gantry's
    // objects by label can take argocd-secret with it.
    private static JsonObject ArgoCdLabels() => new() { ["app.kubernetes.io/part-of"] = "argocd" };
}
