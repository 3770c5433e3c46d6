using System.Globalization;
using Gantry.Core.Identity;
using Gantry.Core.Validation;
using Gantry.Server.Tenants;

namespace Gantry.Server.Ui.Forms;

/// <summary>
/// A tenant and its quotas as the administration pages post them: numbers as typed and lists as comma-separated text,
/// read into the API's <see cref="TenantQuotas"/> (an empty field is no limit). Only what is not a whole number is
/// named here; every other judgement is the API's.
/// </summary>
public sealed class TenantForm
{
    public string? Name { get; set; }

    public string? DisplayName { get; set; }

    public string? MaxInstances { get; set; }

    public string? MaxReplicasPerInstance { get; set; }

    public string? AllowedOfferings { get; set; }

    public string? AllowedEnvironmentTypes { get; set; }

    public static TenantForm From(TenantResponse tenant)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return new TenantForm
        {
            Name = tenant.Name,
            DisplayName = tenant.DisplayName,
            MaxInstances = tenant.Quotas.MaxInstances?.ToString(CultureInfo.InvariantCulture),
            MaxReplicasPerInstance = tenant.Quotas.MaxReplicasPerInstance?.ToString(CultureInfo.InvariantCulture),
            AllowedOfferings = tenant.Quotas.AllowedOfferings is { } offerings ? string.Join(", ", offerings) : null,
            AllowedEnvironmentTypes = tenant.Quotas.AllowedEnvironmentTypes is { } types ? string.Join(", ", types) : null,
        };
    }

    /// <summary>The quotas to send; throws the API's validation problem when a number is not one.</summary>
    public TenantQuotas ToQuotas()
    {
        var errors = new ValidationErrors();
        var quotas = new TenantQuotas
        {
            MaxInstances = WholeNumber(MaxInstances, "quotas.maxInstances", errors),
            MaxReplicasPerInstance = WholeNumber(MaxReplicasPerInstance, "quotas.maxReplicasPerInstance", errors),
            AllowedOfferings = List(AllowedOfferings),
            AllowedEnvironmentTypes = List(AllowedEnvironmentTypes),
        };
        errors.ThrowIfAny();
        return quotas;
    }

    public string? DisplayNameOrNull => string.IsNullOrWhiteSpace(DisplayName) ? null : DisplayName.Trim();

    /// <summary>A quota in words: "no limit" when unset, "none" for an empty allowed list.</summary>
    public static string Describe(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "no limit";

    public static string Describe(IReadOnlyList<string>? allowed) => allowed switch
    {
        null => "all",
        [] => "none",
        _ => string.Join(", ", allowed),
    };

    private static int? WholeNumber(string? text, string field, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add(field, "must be a whole number, or empty for no limit");
        return null;
    }

    private static string[]? List(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
