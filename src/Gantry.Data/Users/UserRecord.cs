namespace Gantry.Data.Users;

/// <summary>A user as stored. <see cref="PasswordHash"/> is null for users who only sign in through OpenID Connect.</summary>
public sealed record UserRecord
{
    public required string Id { get; init; }

    public required string Username { get; init; }

    public string? Email { get; init; }

    public string? PasswordHash { get; init; }

    public bool IsPlatformAdmin { get; init; }

    /// <summary>For users recorded just in time from an external OpenID Connect token: the issuer and subject.</summary>
    public string? ExternalIssuer { get; init; }

    public string? ExternalSubject { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
