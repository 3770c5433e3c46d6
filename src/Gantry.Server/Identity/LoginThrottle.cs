using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Identity;

/// <summary>
/// Slows password guessing without handing a stranger a lockout. Failures are counted twice:
/// <list type="bullet">
/// <item>per username <em>and</em> client address: after <see cref="LoginThrottleOptions.FailuresPerUser"/> failures in
/// <see cref="LoginThrottleOptions.WindowSeconds"/>, that address answers 429 for that username until the window ends,
/// right password or not. Another address — the real user's — is not affected.</item>
/// <item>per username alone: from the <see cref="LoginThrottleOptions.SlowDownAfterFailures"/>th failure in
/// <see cref="LoginThrottleOptions.AccountWindowSeconds"/>, every attempt for the username is answered only after a delay
/// that doubles with each further failure from <see cref="LoginThrottleOptions.SlowDownStartMilliseconds"/> up to
/// <see cref="LoginThrottleOptions.SlowDownMaxSeconds"/>. Nobody is refused; guessing from many addresses gets slow.</item>
/// </list>
/// A successful login clears the username's counts. The per-address request limit is the ASP.NET Core rate limiter
/// policy <see cref="GantryAuthentication.TokenEndpointPolicy"/>.
/// </summary>
public sealed class LoginThrottle(IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>The most usernames (and username/address pairs) remembered; expired entries go first when it is reached.</summary>
    public const int MaxTracked = 10_000;

    private readonly ConcurrentDictionary<string, Failures> _pairs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Failures> _accounts = new(StringComparer.Ordinal);

    private LoginThrottleOptions Settings => options.Value.Throttle;

    /// <summary>Whether <paramref name="username"/> may be tried from <paramref name="address"/> now; when not, how long until it may.</summary>
    public bool MayAttempt(string username, string? address, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        var window = TimeSpan.FromSeconds(Settings.WindowSeconds);
        if (_pairs.TryGetValue(PairKey(username, address), out var pair) && pair.Count(now, window, out var since) >= Settings.FailuresPerUser)
        {
            retryAfter = window - (now - since);
            return false;
        }

        retryAfter = TimeSpan.Zero;
        return true;
    }

    /// <summary>How long to wait before answering an attempt for <paramref name="username"/>: zero until it has had many failures.</summary>
    public TimeSpan SlowDown(string username)
    {
        if (!_accounts.TryGetValue(AccountKey(username), out var account))
        {
            return TimeSpan.Zero;
        }

        var beyond = account.Count(time.GetUtcNow(), TimeSpan.FromSeconds(Settings.AccountWindowSeconds), out _) - Settings.SlowDownAfterFailures;
        if (beyond < 0)
        {
            return TimeSpan.Zero;
        }

        var milliseconds = Settings.SlowDownStartMilliseconds * Math.Pow(2, Math.Min(beyond, 30));
        return TimeSpan.FromMilliseconds(Math.Min(milliseconds, Settings.SlowDownMaxSeconds * 1000.0));
    }

    public void RecordFailure(string username, string? address)
    {
        var now = time.GetUtcNow();
        Record(_pairs, PairKey(username, address), now, TimeSpan.FromSeconds(Settings.WindowSeconds));
        Record(_accounts, AccountKey(username), now, TimeSpan.FromSeconds(Settings.AccountWindowSeconds));
    }

    public void RecordSuccess(string username, string? address)
    {
        _pairs.TryRemove(PairKey(username, address), out _);
        _accounts.TryRemove(AccountKey(username), out _);
    }

    private static void Record(ConcurrentDictionary<string, Failures> table, string key, DateTimeOffset now, TimeSpan window)
    {
        if (table.Count >= MaxTracked)
        {
            foreach (var (stale, _) in table.Where(e => e.Value.Count(now, window, out _) == 0).Take(MaxTracked / 10).ToList())
            {
                table.TryRemove(stale, out _);
            }

            if (table.Count >= MaxTracked)
            {
                // Every entry is live: forget the oldest rather than grow without bound.
                table.TryRemove(table.MinBy(e => e.Value.Since).Key, out _);
            }
        }

        table.GetOrAdd(key, _ => new Failures()).Add(now, window);
    }

    private static string AccountKey(string username) => username.Trim().ToLowerInvariant();

    private static string PairKey(string username, string? address) => AccountKey(username) + "\n" + (address ?? "-");

    /// <summary>Failures in a fixed window that starts at the first failure after the previous window ended.</summary>
    private sealed class Failures
    {
        private readonly Lock _lock = new();
        private int _count;

        public DateTimeOffset Since { get; private set; }

        public int Count(DateTimeOffset now, TimeSpan window, out DateTimeOffset since)
        {
            lock (_lock)
            {
                since = Since;
                return now - Since < window ? _count : 0;
            }
        }

        public void Add(DateTimeOffset now, TimeSpan window)
        {
            lock (_lock)
            {
                if (now - Since >= window)
                {
                    Since = now;
                    _count = 0;
                }

                _count++;
            }
        }
    }
}
