using Gantry.Server.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Server.Tests.Identity;

public sealed class LoginThrottleTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests() => _throttle = new LoginThrottle(Options.Create(new AuthOptions()), _time);

    private void Fail(int times, string address)
    {
        for (var i = 0; i < times; i++)
        {
            _throttle.RecordFailure("alice", address);
        }
    }

    [Fact]
    public void Five_failures_from_one_address_stop_that_address_for_the_window_only()
    {
        Fail(5, "203.0.113.9");

        Assert.False(_throttle.MayAttempt("Alice", "203.0.113.9", out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(300), retryAfter);
        Assert.True(_throttle.MayAttempt("alice", "198.51.100.7", out _));

        _time.Advance(TimeSpan.FromSeconds(300));
        Assert.True(_throttle.MayAttempt("alice", "203.0.113.9", out _));
    }

    [Fact]
    public void Failures_from_many_addresses_slow_the_account_with_a_growing_delay_but_never_lock_it()
    {
        for (var i = 0; i < 9; i++)
        {
            Fail(1, $"203.0.113.{i}");
        }

        Assert.Equal(TimeSpan.Zero, _throttle.SlowDown("alice"));
        Fail(1, "203.0.113.100");
        Assert.Equal(TimeSpan.FromMilliseconds(500), _throttle.SlowDown("alice"));
        Fail(1, "203.0.113.101");
        Assert.Equal(TimeSpan.FromSeconds(1), _throttle.SlowDown("alice"));
        Fail(20, "203.0.113.102");
        Assert.Equal(TimeSpan.FromSeconds(10), _throttle.SlowDown("alice"));

        // The real user, from an address with no failures, may still try.
        Assert.True(_throttle.MayAttempt("alice", "198.51.100.7", out _));
        _time.Advance(TimeSpan.FromSeconds(900));
        Assert.Equal(TimeSpan.Zero, _throttle.SlowDown("alice"));
    }

    [Fact]
    public void A_successful_login_clears_the_counts()
    {
        Fail(12, "203.0.113.9");
        _throttle.RecordSuccess("alice", "203.0.113.9");

        Assert.True(_throttle.MayAttempt("alice", "203.0.113.9", out _));
        Assert.Equal(TimeSpan.Zero, _throttle.SlowDown("alice"));
    }
}
