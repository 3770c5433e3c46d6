using System.Text.Json.Nodes;

namespace Gantry.Core.Environments;

/// <summary>How an environment type gets an add-on.</summary>
public enum AddOnMode
{
    /// <summary>One instance on the platform serves every environment: only its endpoint reaches the environment.</summary>
    Shared,

    /// <summary>The environment gets its own, deployed in its namespace before its services.</summary>
    Dedicated,
}

/// <summary>
/// What an environment type brings beside its services (logging, API gateway, authorization, monitoring): the
/// charts of the bundle, the endpoint services read it at, and per type whether it is shared or dedicated.
/// </summary>
public sealed record AddOnPolicy
{
    /// <summary>The add-on's name: <c>logging</c>, <c>api-gateway</c>, <c>authorization</c>, <c>monitoring</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The environment variable (a key of the <c>platform-endpoints</c> ConfigMap) that carries the endpoint.</summary>
    public required string Variable { get; init; }

    /// <summary>The platform's shared instance, for types that get the add-on shared.</summary>
    public required string SharedEndpoint { get; init; }

    /// <summary>The dedicated instance's endpoint; <c>{namespace}</c> stands for the environment's namespace.</summary>
    public required string DedicatedEndpoint { get; init; }

    /// <summary>The mode per type; a type not listed gets the add-on shared.</summary>
    public IReadOnlyDictionary<string, AddOnMode> Types { get; init; } = new Dictionary<string, AddOnMode>(StringComparer.Ordinal);

    /// <summary>The charts a dedicated add-on installs, in order (Elasticsearch before its log shippers).</summary>
    public IReadOnlyList<AddOnChart> Charts { get; init; } = [];

    public AddOnMode ModeFor(string type) => Types.GetValueOrDefault(type, AddOnMode.Shared);

    /// <summary>The endpoint an environment of <paramref name="type"/> in <paramref name="namespace"/> reads the add-on at.</summary>
    public string EndpointFor(string type, string @namespace) =>
        ModeFor(type) == AddOnMode.Dedicated ? DedicatedEndpoint.Replace(NamespacePlaceholder, @namespace, StringComparison.Ordinal) : SharedEndpoint;

    public const string NamespacePlaceholder = "{namespace}";
}

/// <summary>One chart of an add-on's bundle, installed by a Flux <c>HelmRelease</c> named after <see cref="Name"/>.</summary>
public sealed record AddOnChart
{
    /// <summary>The release name in the environment's namespace (<c>elasticsearch</c>, <c>kong</c>, ...).</summary>
    public required string Name { get; init; }

    /// <summary>The Helm repository (https) or OCI reference (oci://).</summary>
    public required string Repository { get; init; }

    public required string Chart { get; init; }

    public required string Version { get; init; }

    /// <summary>The platform's default values for the chart.</summary>
    public JsonObject Values { get; init; } = [];

    public bool IsOci => Repository.StartsWith("oci://", StringComparison.Ordinal);
}

/// <summary>The design's add-on bundles: dev and sue get them shared, stage and prod dedicated.</summary>
public static class AddOnDefaults
{
    public static IReadOnlyList<AddOnPolicy> All { get; } =
    [
        Define("logging", "LOGGING_ENDPOINT", "http://elasticsearch-master.platform-logging.svc:9200", "http://elasticsearch-master.{namespace}.svc:9200",
            Chart("elasticsearch", "https://helm.elastic.co", "elasticsearch", "8.5.1", new JsonObject { ["replicas"] = 1 }),
            Chart("fluent-bit", "https://fluent.github.io/helm-charts", "fluent-bit", "0.47.10", [])),
        Define("api-gateway", "API_GATEWAY_ENDPOINT", "http://kong-proxy.platform-gateway.svc", "http://kong-kong-proxy.{namespace}.svc",
            Chart("kong", "https://charts.konghq.com", "kong", "2.38.0", new JsonObject { ["ingressController"] = new JsonObject { ["enabled"] = true } })),
        Define("authorization", "AUTHORIZATION_ENDPOINT", "http://cedar-agent.platform-authorization.svc:8180", "http://cedar-agent.{namespace}.svc:8180",
            Chart("opal", "https://permitio.github.io/opal-helm-chart", "opal", "0.0.28", []),
            Chart("cedar-agent", "https://permitio.github.io/cedar-agent", "cedar-agent", "0.1.0", [])),
        Define("monitoring", "MONITORING_ENDPOINT", "http://prometheus-operated.platform-monitoring.svc:9090", "http://prometheus-operated.{namespace}.svc:9090",
            Chart("kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack", "65.1.1",
                new JsonObject { ["grafana"] = new JsonObject { ["enabled"] = true }, ["alertmanager"] = new JsonObject { ["enabled"] = true } })),
    ];

    private static AddOnPolicy Define(string name, string variable, string shared, string dedicated, params AddOnChart[] charts) => new()
    {
        Name = name,
        Variable = variable,
        SharedEndpoint = shared,
        DedicatedEndpoint = dedicated,
        Types = new Dictionary<string, AddOnMode>(StringComparer.Ordinal)
        {
            ["dev"] = AddOnMode.Shared,
            ["sue"] = AddOnMode.Shared,
            ["stage"] = AddOnMode.Dedicated,
            ["prod"] = AddOnMode.Dedicated,
        },
        Charts = charts,
    };

    private static AddOnChart Chart(string name, string repository, string chart, string version, JsonObject values) =>
        new() { Name = name, Repository = repository, Chart = chart, Version = version, Values = values };
}
