namespace Gantry.Sealing;

/// <summary>Where a sealed value may be decrypted: it decides the OAEP label bound into each value.</summary>
public enum SealingScope
{
    /// <summary>Only as a Secret of the same name in the same namespace (label "namespace/name"). The default.</summary>
    Strict,

    /// <summary>As a Secret of any name in the same namespace (label "namespace").</summary>
    NamespaceWide,

    /// <summary>Anywhere in the cluster (empty label).</summary>
    ClusterWide,
}

/// <summary>
/// Scope names, annotations and labels as Sealed Secrets defines them
/// (pkg/apis/sealedsecrets/v1alpha1/sealedsecret_expansion.go, EncryptionLabel and UpdateScopeAnnotations).
/// </summary>
public static class SealingScopes
{
    public const string ClusterWideAnnotation = "sealedsecrets.bitnami.com/cluster-wide";
    public const string NamespaceWideAnnotation = "sealedsecrets.bitnami.com/namespace-wide";

    /// <summary>The names kubeseal's <c>--scope</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["strict", "namespace-wide", "cluster-wide"];

    public static SealingScope Parse(string name) => name switch
    {
        "strict" => SealingScope.Strict,
        "namespace-wide" => SealingScope.NamespaceWide,
        "cluster-wide" => SealingScope.ClusterWide,
        _ => throw new SealingException($"unknown scope '{name}': use strict, namespace-wide or cluster-wide"),
    };

    public static string ToName(this SealingScope scope) => scope switch
    {
        SealingScope.Strict => "strict",
        SealingScope.NamespaceWide => "namespace-wide",
        SealingScope.ClusterWide => "cluster-wide",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, null),
    };

    /// <summary>
    /// The OAEP label: strict "namespace/name", namespace-wide "namespace", cluster-wide empty.
    /// Throws when the scope needs a namespace or name that is missing.
    /// </summary>
    public static byte[] Label(SealingScope scope, string? @namespace, string? name)
    {
        var text = scope switch
        {
            SealingScope.ClusterWide => "",
            SealingScope.NamespaceWide => Require(@namespace, "namespace", scope),
            SealingScope.Strict => $"{Require(@namespace, "namespace", scope)}/{Require(name, "name", scope)}",
            _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, null),
        };
        return System.Text.Encoding.UTF8.GetBytes(text);
    }

    /// <summary>The scope annotations say; cluster-wide is checked first, neither means strict.</summary>
    public static SealingScope FromAnnotations(IReadOnlyDictionary<string, string> annotations)
    {
        if (annotations.TryGetValue(ClusterWideAnnotation, out var cluster) && cluster == "true")
        {
            return SealingScope.ClusterWide;
        }

        return annotations.TryGetValue(NamespaceWideAnnotation, out var ns) && ns == "true"
            ? SealingScope.NamespaceWide
            : SealingScope.Strict;
    }

    /// <summary>A copy of <paramref name="annotations"/> that states <paramref name="scope"/> and nothing else about scope.</summary>
    public static IReadOnlyDictionary<string, string> WithScope(IReadOnlyDictionary<string, string> annotations, SealingScope scope)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in annotations)
        {
            if (key is not ClusterWideAnnotation and not NamespaceWideAnnotation)
            {
                result[key] = value;
            }
        }

        if (scope == SealingScope.ClusterWide)
        {
            result[ClusterWideAnnotation] = "true";
        }
        else if (scope == SealingScope.NamespaceWide)
        {
            result[NamespaceWideAnnotation] = "true";
        }

        return result;
    }

    // The label joins namespace and name with '/', so both must be the Kubernetes names they claim to be
    // (a namespace is a DNS-1123 label, a Secret name a DNS-1123 subdomain): "a/b" + "c" must not equal "a" + "b/c".
    private static string Require(string? value, string what, SealingScope scope)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new SealingException($"a {what} is required to seal with scope {scope.ToName()}");
        }

        var maxLength = what == "namespace" ? 63 : 253;
        var valid = value.Length <= maxLength
            && IsLowerAlphanumeric(value[0])
            && IsLowerAlphanumeric(value[^1])
            && value.All(c => IsLowerAlphanumeric(c) || c == '-' || (c == '.' && what != "namespace"));
        return valid
            ? value
            : throw new SealingException($"the {what} '{(value.Length > 64 ? value[..64] + "..." : value)}' is not a valid Kubernetes {what}");
    }

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
