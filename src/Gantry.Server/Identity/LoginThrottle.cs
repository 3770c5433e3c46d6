using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Identity;

/// <summary>
/// Counts failed logins per username (case-insensitive): after <see cref="LoginThrottleOptions.FailuresPerUser"/> failures
/// in a window, every attempt for that username answers 429 until the window ends, right password or not.
/// The per-address limit is the ASP.NET Core rate limiter policy <see cref="GantryAuthentication.TokenEndpointPolicy"/>.
/// </summary>
public sealed class LoginThrottle(IOptions<AuthOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(username =>
        RateLimitPartition.GetFixedWindowLimiter(username, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.Throttle.FailuresPerUser,
            Window = TimeSpan.FromSeconds(options.Value.Throttle.WindowSeconds),
            QueueLimit = 0,
        }));

    /// <summary>Whether <paramref name="username"/> may try now; when not, how long until it may.</summary>
    public bool MayAttempt(string username, out TimeSpan retryAfter)
    {
        // Zero permits asks without taking: it fails only when the window's permits are used up.
        using var lease = _failures.AttemptAcquire(Key(username), 0);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(options.Value.Throttle.WindowSeconds);
        return lease.IsAcquired;
    }

    public void RecordFailure(string username)
    {
        using var lease = _failures.AttemptAcquire(Key(username));
    }

    public void Dispose() => _failures.Dispose();

    private static string Key(string username) => username.Trim().ToLowerInvariant();
}
