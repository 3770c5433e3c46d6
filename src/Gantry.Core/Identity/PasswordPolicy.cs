using Gantry.Core.Validation;

namespace Gantry.Core.Identity;

/// <summary>
/// Length over composition rules (NIST SP 800-63B §5.1.1.2): at least 12 characters, at most 128, not only
/// whitespace and not the username. One message says all of it, so nobody has to guess.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    public static string Description { get; } =
        $"must be {MinLength} to {MaxLength} characters long, not blank and not the username; a passphrase of a few words is a good choice";

    public static void Validate(string? password, string? username, string field, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(password) || password.Length < MinLength || password.Length > MaxLength
            || string.Equals(password, username, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(field, Description);
        }
    }
}
