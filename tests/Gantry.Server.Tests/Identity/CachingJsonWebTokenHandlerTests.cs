using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Gantry.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Gantry.Server.Tests.Identity;

public sealed class CachingJsonWebTokenHandlerTests : IDisposable
{
    private readonly TempFolder _dataDir = new("gantry-token-cache");
    private readonly FakeTimeProvider _keyTime = new(DateTimeOffset.UtcNow);
    private readonly SigningKeyStore _keys;

    public CachingJsonWebTokenHandlerTests()
    {
        var paths = new GantryPaths(Options.Create(new GantryOptions { DataDir = _dataDir.Path }));
        _keys = new SigningKeyStore(paths, Options.Create(new AuthOptions { AccessTokenMinutes = 15, SigningKeyRotationDays = 30 }),
            _keyTime, NullLogger<SigningKeyStore>.Instance);
    }

    public void Dispose() => _dataDir.Dispose();

    [Fact]
    public async Task A_remembered_token_is_accepted_again_with_a_fresh_identity()
    {
        var handler = new CachingJsonWebTokenHandler(_keys, TimeProvider.System);
        var token = Token(DateTime.UtcNow.AddMinutes(10));

        var first = await handler.ValidateTokenAsync(token, Parameters());
        var second = await handler.ValidateTokenAsync(token, Parameters());

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal("user-1", second.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var handler = new CachingJsonWebTokenHandler(_keys, TimeProvider.System);
        var token = Token(DateTime.UtcNow.AddSeconds(2));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);

        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.False((await handler.ValidateTokenAsync(token, Parameters())).IsValid);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_its_signing_key_is_removed()
    {
        var handler = new CachingJsonWebTokenHandler(_keys, TimeProvider.System);
        var token = Token(DateTime.UtcNow.AddMinutes(10));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);

        // Rotated after 30 days, the old key is removed once its last token could have expired.
        _keyTime.Advance(TimeSpan.FromDays(31));
        _ = _keys.Current;
        _keyTime.Advance(TimeSpan.FromMinutes(21));
        Assert.Single(_keys.Published);

        Assert.False((await handler.ValidateTokenAsync(token, Parameters())).IsValid);
    }

    [Fact]
    public async Task An_invalid_token_is_not_remembered()
    {
        var handler = new CachingJsonWebTokenHandler(_keys, TimeProvider.System);
        var token = Token(DateTime.UtcNow.AddMinutes(10));
        var wrongAudience = Parameters();
        wrongAudience.ValidAudience = "someone-else";

        Assert.False((await handler.ValidateTokenAsync(token, wrongAudience)).IsValid);
        Assert.False((await handler.ValidateTokenAsync(token, wrongAudience)).IsValid);
    }

    private string Token(DateTime expires)
    {
        var now = DateTime.UtcNow.AddSeconds(-1);
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "gantry",
            Audience = "gantry-api",
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["sub"] = "user-1" },
            TokenType = SigningKeyStore.AccessTokenType,
            SigningCredentials = new SigningCredentials(_keys.Current.SecurityKey, SigningKeyStore.Algorithm),
        });
    }

    private TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = "gantry",
        ValidAudience = "gantry-api",
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidAlgorithms = [SigningKeyStore.Algorithm],
        ValidTypes = [SigningKeyStore.AccessTokenType],
        ClockSkew = TimeSpan.Zero,
        IssuerSigningKeyResolver = (_, _, keyId, _) => _keys.Resolve(keyId),
    };
}
