using System.Net;
using System.Net.Http.Headers;

namespace Gantry.Client;

/// <summary>Where the client's bearer token comes from; renewed once when the server answers 401.</summary>
public abstract class GantryCredentials
{
    /// <summary>The token to send, or null to send none.</summary>
    public abstract ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>Called when <paramref name="rejected"/> got a 401; true when a new token is ready for one retry.</summary>
    public virtual ValueTask<bool> RenewAsync(string rejected, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}

/// <summary>A fixed token: an API key (<c>gantry_ak_…</c>) or an access token from elsewhere (CI).</summary>
public sealed class StaticCredentials(string token) : GantryCredentials
{
    public override ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
}

/// <summary>The tokens of one password login.</summary>
public sealed record TokenSet(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt)
{
    public static TokenSet From(TokenResponse response, DateTimeOffset now) =>
        new(response.AccessToken, response.RefreshToken, now.AddSeconds(response.ExpiresIn));
}

/// <summary>
/// Gantry's own tokens: the access token is renewed with the refresh token shortly before it expires, or when the
/// server refuses it. Refresh tokens rotate (a used one is revoked), so <see cref="Renewed"/> must keep the new set.
/// </summary>
public sealed class RefreshingCredentials(
    TokenSet tokens, Func<string, CancellationToken, Task<TokenResponse>> refresh, TimeProvider time) : GantryCredentials, IDisposable
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public TokenSet Tokens { get; private set; } = tokens;

    /// <summary>Raised with the new tokens after each renewal.</summary>
    public event Action<TokenSet>? Renewed;

    public override async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        var current = Tokens;
        if (current.ExpiresAt - Margin <= time.GetUtcNow())
        {
            await RenewAsync(current.AccessToken, cancellationToken);
        }

        return Tokens.AccessToken;
    }

    public override async ValueTask<bool> RenewAsync(string rejected, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Tokens.AccessToken != rejected)
            {
                return true; // another request renewed it meanwhile
            }

            Tokens = TokenSet.From(await refresh(Tokens.RefreshToken, cancellationToken), time.GetUtcNow());
            Renewed?.Invoke(Tokens);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}

/// <summary>Puts the bearer token on every request and retries once with a renewed token after a 401.</summary>
internal sealed class BearerTokenHandler(GantryCredentials credentials, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await credentials.GetTokenAsync(cancellationToken);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || token is null || !await credentials.RenewAsync(token, cancellationToken))
        {
            return response;
        }

        // The request's content is buffered (string or bytes), so it can be sent again.
        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await credentials.GetTokenAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}
