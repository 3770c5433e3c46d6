namespace Gantry.Core.Validation;

/// <summary>
/// Names that become Kubernetes namespaces and Git folders must be DNS-1123 labels:
/// lower-case alphanumerics and '-', starting and ending with an alphanumeric, at most 63 characters.
/// (Kubernetes: k8s.io/apimachinery/pkg/util/validation IsDNS1123Label.)
/// </summary>
public static class ResourceName
{
    public const int MaxLength = 63;

    public static bool IsDns1123Label(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var alphanumeric = c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            if (alphanumeric)
            {
                continue;
            }

            if (c != '-' || i == 0 || i == value.Length - 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Adds a message naming <paramref name="field"/> when <paramref name="value"/> is not a DNS-1123 label.</summary>
    public static void Validate(string? value, string field, ValidationErrors errors)
    {
        if (!IsDns1123Label(value))
        {
            errors.Add(field, $"must be a DNS-1123 label: 1 to {MaxLength} lower-case letters, digits or '-', starting and ending with a letter or digit");
        }
    }
}
