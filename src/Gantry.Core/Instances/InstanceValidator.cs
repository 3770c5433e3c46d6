using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Core.Diagnostics;

namespace Gantry.Core.Instances;

/// <summary>Everything the validator needs to judge one request, gathered by the caller.</summary>
public sealed record InstanceValidationContext
{
    public required string Tenant { get; init; }

    public required string Name { get; init; }

    public required InstanceRequest Request { get; init; }

    /// <summary>The offering named by the request, or null when the catalog has none of that name.</summary>
    public Offering? Offering { get; init; }

    public TenantQuotas Quota { get; init; } = new();

    /// <summary>How many instances the tenant has, not counting this one if it exists.</summary>
    public int OtherInstances { get; init; }

    /// <summary>The secrets that already have a sealed value this change keeps (a secret left out of the request keeps it).</summary>
    public IReadOnlySet<string> SecretsSet { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>
/// Checks an instance request against its offering, the tenant's quota and the platform's rules, collecting every
/// problem into one <see cref="ValidationErrors"/>. Small rules, each adding to the same list (YARP's route validators).
/// </summary>
public static class InstanceValidator
{
    /// <summary>The largest secret value accepted, in UTF-8 bytes: tokens and keys, not files.</summary>
    public const int MaxSecretBytes = 4096;

    private static readonly Action<InstanceValidationContext, ValidationErrors>[] Rules =
    [
        ValidateName,
        ValidateOffering,
        ValidateValues,
        ValidateSecrets,
        ValidateQuota,
    ];

    public static ValidationErrors Validate(InstanceValidationContext context)
    {
        using var activity = GantryTracing.Source.StartActivity("gantry.validate");
        var errors = new ValidationErrors();
        foreach (var rule in Rules)
        {
            rule(context, errors);
        }

        return errors;
    }

    private static void ValidateName(InstanceValidationContext context, ValidationErrors errors)
    {
        ResourceName.Validate(context.Name, "name", errors);
        if (context.Offering is { } offering && ResourceName.IsDns1123Label(context.Name)
            && !ResourceName.IsDns1123Label(offering.NamespaceFor(context.Tenant, context.Name)))
        {
            errors.Add("name", $"makes the namespace '{offering.NamespaceFor(context.Tenant, context.Name)}', which is not a DNS-1123 label (too long?)");
        }
    }

    private static void ValidateOffering(InstanceValidationContext context, ValidationErrors errors)
    {
        var requested = context.Request.Offering;
        if (string.IsNullOrWhiteSpace(requested))
        {
            errors.Add("offering", "is required");
        }
        else if (context.Offering is null)
        {
            errors.Add("offering", $"'{requested}' is not in the catalog");
        }
        else if (context.Quota.AllowedOfferings is { } allowed && !allowed.Contains(requested))
        {
            errors.Add("offering", $"'{requested}' is not allowed for tenant '{context.Tenant}'");
        }
    }

    private static void ValidateValues(InstanceValidationContext context, ValidationErrors errors)
    {
        if (context.Offering is not { } offering)
        {
            return;
        }

        var values = context.Request.Values ?? [];

        // A value equal to the platform's fixed one is accepted (a chart's own values file, copied whole, sets it so);
        // it is left out of the schema check, which describes what a tenant chooses. A different value is refused.
        var chosen = values;
        foreach (var leaf in ValuesPath.Leaves(offering.Fixed))
        {
            var fixedValue = ValuesPath.Get(offering.Fixed, leaf);
            if (ValuesPath.Contains(values, leaf) && JsonNode.DeepEquals(ValuesPath.Get(values, leaf), fixedValue))
            {
                chosen = Without(chosen == values ? values.DeepClone().AsObject() : chosen, leaf);
            }
            else if (ValuesPath.Contains(values, leaf) || IsPrefixSet(values, leaf))
            {
                errors.Add($"values.{leaf}", $"is fixed by the platform to {fixedValue?.ToJsonString() ?? "null"}; leave it out (or set exactly that)");
            }
        }

        values = chosen;

        foreach (var secret in offering.Secrets.Where(s => ValuesPath.Contains(values, s.ValuesPath)))
        {
            errors.Add($"values.{secret.ValuesPath}",
                secret.Generate
                    ? $"is the secret '{secret.Name}', which Gantry generates; it cannot be supplied"
                    : $"is the secret '{secret.Name}'; give it in secrets.{secret.Name} (sealed, never stored in clear), never as a plain value");
        }

        // The merged values are what the chart receives, so that is what must satisfy the schema; fixed values are the
        // platform's and are checked when the catalog loads.
        var merged = ValuesPath.Merge(offering.Defaults, values);
        foreach (var (field, message) in offering.Schema.Validate(merged, "values"))
        {
            errors.Add(field, message);
        }
    }

    // Messages name the secret, never its value: problem details are logged and shown.
    private static void ValidateSecrets(InstanceValidationContext context, ValidationErrors errors)
    {
        if (context.Offering is not { } offering)
        {
            return;
        }

        var given = context.Request.Secrets ?? new Dictionary<string, string?>();
        foreach (var (name, value) in given)
        {
            var field = $"secrets.{name}";
            var declared = offering.Secrets.FirstOrDefault(s => s.Name == name);
            if (declared is null)
            {
                errors.Add(field, $"is not a secret of offering '{offering.Name}'");
            }
            else if (declared.Generate)
            {
                errors.Add(field, "is generated by Gantry and cannot be supplied; POST .../credentials/rotate makes a new one");
            }
            else if (string.IsNullOrEmpty(value))
            {
                errors.Add(field, "must be a non-empty string");
            }
            else if (System.Text.Encoding.UTF8.GetByteCount(value) > MaxSecretBytes)
            {
                errors.Add(field, $"is longer than {MaxSecretBytes} bytes");
            }
        }

        foreach (var secret in offering.Secrets.Where(s => !s.Generate && !given.ContainsKey(s.Name) && !context.SecretsSet.Contains(s.Name)))
        {
            errors.Add($"secrets.{secret.Name}", $"is required{(secret.Description is { } d ? $": {d}" : string.Empty)}");
        }
    }

    private static void ValidateQuota(InstanceValidationContext context, ValidationErrors errors)
    {
        var quota = context.Quota;
        if (quota.MaxInstances is { } maxInstances && context.OtherInstances + 1 > maxInstances)
        {
            errors.Add("name", $"tenant '{context.Tenant}' already has {context.OtherInstances} of its {maxInstances} allowed instances");
        }

        if (context.Offering is { ReplicasPath: { } path } offering && quota.MaxReplicasPerInstance is { } maxReplicas)
        {
            var merged = ValuesPath.Merge(offering.Defaults, context.Request.Values);
            if (ValuesPath.TryGetInteger(ValuesPath.Get(merged, path), out var replicas) && replicas > maxReplicas)
            {
                errors.Add($"values.{path}", $"is {replicas}, above the tenant's quota of {maxReplicas} replicas per instance");
            }
        }
    }

    /// <summary><paramref name="values"/> (a copy the caller owns) without the leaf, and without the objects it leaves empty.</summary>
    private static JsonObject Without(JsonObject values, string leaf)
    {
        var segments = leaf.Split('.');
        var parents = new List<JsonObject> { values };
        for (var i = 0; i < segments.Length - 1 && parents[^1][segments[i]] is JsonObject next; i++)
        {
            parents.Add(next);
        }

        if (parents.Count == segments.Length)
        {
            parents[^1].Remove(segments[^1]);
            for (var i = parents.Count - 1; i > 0 && parents[i].Count == 0; i--)
            {
                parents[i - 1].Remove(segments[i - 1]);
            }
        }

        return values;
    }

    // A tenant value that replaces a whole object the platform fixes a leaf of (e.g. values.service = "x").
    private static bool IsPrefixSet(JsonObject values, string fixedLeaf)
    {
        var segments = fixedLeaf.Split('.');
        for (var i = 1; i < segments.Length; i++)
        {
            var prefix = string.Join('.', segments[..i]);
            if (ValuesPath.Get(values, prefix) is { } node && node is not JsonObject)
            {
                return true;
            }
        }

        return false;
    }
}
