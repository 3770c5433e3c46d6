using Gantry.Core.Validation;

namespace Gantry.Core.Identity;

/// <summary>
/// What a tenant may ask for. Null means unlimited (or, for the lists, everything the catalog offers).
/// Checked by the instance and environment features; set only by platform administrators.
/// </summary>
public sealed record TenantQuotas
{
    public int? MaxInstances { get; init; }

    public int? MaxReplicasPerInstance { get; init; }

    public IReadOnlyList<string>? AllowedOfferings { get; init; }

    public IReadOnlyList<string>? AllowedEnvironmentTypes { get; init; }

    public static IReadOnlyList<string> EnvironmentTypes { get; } = ["dev", "stage", "prod", "sue"];

    public void Validate(string prefix, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (MaxInstances is < 0)
        {
            errors.Add($"{prefix}.maxInstances", "must be zero or more");
        }

        if (MaxReplicasPerInstance is < 1)
        {
            errors.Add($"{prefix}.maxReplicasPerInstance", "must be one or more");
        }

        foreach (var offering in AllowedOfferings ?? [])
        {
            if (!ResourceName.IsDns1123Label(offering))
            {
                errors.Add($"{prefix}.allowedOfferings", $"'{offering}' is not an offering name (a DNS-1123 label)");
            }
        }

        foreach (var type in AllowedEnvironmentTypes ?? [])
        {
            if (!EnvironmentTypes.Contains(type, StringComparer.Ordinal))
            {
                errors.Add($"{prefix}.allowedEnvironmentTypes", $"'{type}' is not one of {string.Join(", ", EnvironmentTypes)}");
            }
        }
    }
}
