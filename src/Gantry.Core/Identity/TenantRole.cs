namespace Gantry.Core.Identity;

/// <summary>A member's role in one tenant. Each role includes everything the roles before it may do.</summary>
public enum TenantRole
{
    /// <summary>Reads the tenant's resources.</summary>
    Viewer = 1,

    /// <summary>Also changes instances and environments.</summary>
    Operator = 2,

    /// <summary>Also manages members, API keys and approvals, and reads the tenant's audit log.</summary>
    Admin = 3,
}

public static class TenantRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>The claim value, and what a membership names, for platform administrators.</summary>
    public const string PlatformAdmin = "platform-admin";

    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Admin];

    public static string ToName(this TenantRole role) => role switch
    {
        TenantRole.Viewer => Viewer,
        TenantRole.Operator => Operator,
        TenantRole.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown tenant role."),
    };

    public static bool TryParse(string? value, out TenantRole role)
    {
        role = value switch
        {
            Viewer => TenantRole.Viewer,
            Operator => TenantRole.Operator,
            Admin => TenantRole.Admin,
            _ => default,
        };
        return role != default;
    }
}
