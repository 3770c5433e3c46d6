using Gantry.Core.Identity;
using Gantry.Data.Users;
using Gantry.Server.Audit;

namespace Gantry.Server.Identity;

/// <summary>What a password sign-in came to: the user, or why not (and, when throttled, how long to wait).</summary>
public sealed record PasswordSignInResult(UserRecord? User, TimeSpan? RetryAfter)
{
    public bool Throttled => RetryAfter is not null;
}

/// <summary>
/// The one password check behind every sign-in form: the token endpoint's password grant and the web UI's login. It
/// asks <see cref="LoginThrottle"/> first, slows guessing the same way, verifies with <see cref="PasswordLogin"/> and
/// audits the outcome, so the two doors cannot drift apart.
/// </summary>
public sealed class PasswordSignIn(PasswordLogin login, LoginThrottle throttle, AuditLog audit)
{
    public async Task<PasswordSignInResult> VerifyAsync(HttpContext context, string username, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var address = context.Connection.RemoteIpAddress?.ToString();
        if (!throttle.MayAttempt(username, address, out var retryAfter))
        {
            await audit.RecordEventAsync(context, null, username, null, AuditActions.Login, AuditOutcomes.Failure, detail: "throttled");
            return new PasswordSignInResult(null, retryAfter);
        }

        if (throttle.SlowDown(username) is { Ticks: > 0 } delay)
        {
            await Task.Delay(delay, cancellationToken);
        }

        var user = await login.VerifyAsync(username, password, cancellationToken);
        if (user is null)
        {
            throttle.RecordFailure(username, address);
            await audit.RecordEventAsync(context, null, username, null, AuditActions.Login, AuditOutcomes.Failure);
            return new PasswordSignInResult(null, null);
        }

        throttle.RecordSuccess(username, address);
        await audit.RecordEventAsync(context, user.Id, user.Username, nameof(PrincipalKind.User), AuditActions.Login, AuditOutcomes.Success, target: user.Id);
        return new PasswordSignInResult(user, null);
    }
}
