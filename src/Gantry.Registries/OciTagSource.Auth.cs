using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gantry.Core.Versions;

namespace Gantry.Registries;

public sealed partial class OciTagSource
{
    /// <summary>
    /// The authorization of one listing: starts anonymous, answers at most one challenge, then reuses the
    /// header for every page. Bearer: distribution docs/spec/auth/token.md; Basic: RFC 7617.
    /// </summary>
    private sealed class AuthSession(OciRepositoryAddress address, RegistryCredential? credential)
    {
        private bool _challengeAnswered;

        public OciRepositoryAddress Address { get; } = address;

        public RegistryCredential? Credential { get; } = credential;

        public AuthenticationHeaderValue? Authorization { get; private set; }

        public async Task<bool> AnswerChallengeAsync(HttpResponseMessage response, OciTagSource owner, string source, CancellationToken cancellationToken)
        {
            if (_challengeAnswered)
            {
                return false;
            }

            _challengeAnswered = true;
            if (BearerChallenge.TryFind(response, out var challenge))
            {
                challenge = challenge with { Scope = challenge.Scope ?? $"repository:{Address.Repository}:pull" };
                var token = await owner.FetchTokenAsync(challenge, Credential, source, cancellationToken);
                Authorization = new AuthenticationHeaderValue("Bearer", token);
                return true;
            }

            if (BearerChallenge.IsBasic(response) && Credential is not null)
            {
                Authorization = BasicHeader(Credential);
                return true;
            }

            return false;
        }
    }

    private async Task<string> FetchTokenAsync(BearerChallenge challenge, RegistryCredential? credential, string source, CancellationToken cancellationToken)
    {
        Log.RequestingToken(logger, challenge.Realm.Authority, challenge.Service, challenge.Scope);
        using var request = new HttpRequestMessage(HttpMethod.Get, challenge.TokenUri());
        if (credential is not null)
        {
            request.Headers.Authorization = BasicHeader(credential);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new TagSourceException(source, $"the token service {challenge.Realm.Authority} refused a token ({(int)response.StatusCode})")
            {
                StatusCode = (int)response.StatusCode,
            };
        }

        var body = await BoundedContent.ReadAsync(response, _options.MaxResponseBytes, source, cancellationToken);
        TokenResponse? answer;
        try
        {
            answer = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.TokenResponse);
        }
        catch (JsonException e)
        {
            throw new TagSourceException(source, $"the token service {challenge.Realm.Authority} answered with something that is not JSON", e);
        }

        var token = answer?.Token ?? answer?.AccessToken;
        return string.IsNullOrEmpty(token)
            ? throw new TagSourceException(source, $"the token service {challenge.Realm.Authority} answered without a token")
            : token;
    }

    private static AuthenticationHeaderValue BasicHeader(RegistryCredential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
}
