namespace Gantry.Sealing.Manifests;

/// <summary>The parts of Kubernetes object metadata that sealing reads and writes.</summary>
public sealed record ObjectMeta
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = Empty;

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = Empty;

    internal static IReadOnlyDictionary<string, string> Empty { get; } = new Dictionary<string, string>();
}

/// <summary>A Kubernetes Secret (core/v1): <see cref="Data"/> holds raw bytes, <see cref="StringData"/> UTF-8 text.</summary>
public sealed record KubernetesSecret
{
    public const string ApiVersion = "v1";
    public const string Kind = "Secret";

    public required ObjectMeta Metadata { get; init; }

    /// <summary>The Secret type, e.g. "Opaque" or "kubernetes.io/tls"; null when the input gave none.</summary>
    public string? Type { get; init; }

    public bool? Immutable { get; init; }

    public IReadOnlyDictionary<string, byte[]> Data { get; init; } = new Dictionary<string, byte[]>();

    public IReadOnlyDictionary<string, string> StringData { get; init; } = new Dictionary<string, string>();
}

/// <summary>A Sealed Secrets <c>SealedSecret</c> (bitnami.com/v1alpha1).</summary>
public sealed record SealedSecret
{
    public const string ApiVersion = "bitnami.com/v1alpha1";
    public const string Kind = "SealedSecret";

    /// <summary>Name, namespace and the scope annotations the controller reads to compute the label.</summary>
    public required ObjectMeta Metadata { get; init; }

    /// <summary>Key to base64 sealed value (one HybridEncrypt each).</summary>
    public required IReadOnlyDictionary<string, string> EncryptedData { get; init; }

    public SecretTemplate Template { get; init; } = new();

    /// <summary>The scope the controller will use: from <see cref="Metadata"/>'s annotations.</summary>
    public SealingScope Scope => SealingScopes.FromAnnotations(Metadata.Annotations);
}

/// <summary>spec.template of a SealedSecret: what the controller puts on the Secret it creates.</summary>
public sealed record SecretTemplate
{
    public ObjectMeta? Metadata { get; init; }

    public string? Type { get; init; }

    public bool? Immutable { get; init; }

    /// <summary>Go text/template strings over the decrypted values (kept as given; not evaluated by Gantry).</summary>
    public IReadOnlyDictionary<string, string>? Data { get; init; }
}
