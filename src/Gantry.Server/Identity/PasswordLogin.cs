using Gantry.Data.Users;
using Microsoft.AspNetCore.Identity;

namespace Gantry.Server.Identity;

/// <summary>
/// Checks a username and password. An unknown user (or one without a password, from OIDC) costs one hash
/// verification too, against a dummy hash, so the answer and its timing do not tell whether the user exists.
/// </summary>
public sealed class PasswordLogin(UserRepository users, IPasswordHasher<UserRecord> hasher, TimeProvider time)
{
    private static readonly UserRecord DummyUser = new()
    {
        Id = "dummy",
        Username = "dummy",
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(DummyUser, Secrets.Create("dummy_")));

    public async Task<UserRecord?> VerifyAsync(string username, string password, CancellationToken cancellationToken)
    {
        var user = await users.FindByUsernameAsync(username, cancellationToken);
        if (user?.PasswordHash is not { Length: > 0 } hash)
        {
            hasher.VerifyHashedPassword(DummyUser, _dummyHash.Value, password);
            return null;
        }

        var result = hasher.VerifyHashedPassword(user, hash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            // The hasher's settings were raised since this hash was made: upgrade it while we hold the password.
            user = user with { PasswordHash = hasher.HashPassword(user, password), UpdatedAt = time.GetUtcNow() };
            await users.UpdateAsync(user, cancellationToken);
        }

        return result == PasswordVerificationResult.Failed ? null : user;
    }

    public string Hash(UserRecord user, string password) => hasher.HashPassword(user, password);
}
