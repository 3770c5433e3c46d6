using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gantry.Client;

/// <summary>
/// Gantry's public API over HTTP. Every call either answers the typed record or throws
/// <see cref="GantryApiException"/> with the server's problem document; transport failures stay
/// <see cref="HttpRequestException"/>. The <see cref="HttpClient"/> must have its <c>BaseAddress</c> set to the server.
/// </summary>
public sealed partial class GantryClient(HttpClient http) : IDisposable
{
    /// <summary>The JSON the API speaks: camelCase members, as ASP.NET Core's web defaults.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Limit on calls that do not wait or stream.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public Uri Server => http.BaseAddress ?? throw new InvalidOperationException("The HttpClient has no BaseAddress.");

    /// <summary>A client for <paramref name="server"/> that sends the credentials' bearer token.</summary>
    public static GantryClient Create(Uri server, GantryCredentials? credentials = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var inner = handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        HttpMessageHandler pipeline = credentials is null ? inner : new BearerTokenHandler(credentials, inner);

        // Timeouts are per call (see RequestTimeout): waits and streams run longer than any fixed client timeout.
        var client = new HttpClient(pipeline, disposeHandler: handler is null || credentials is not null)
        {
            BaseAddress = server.AbsoluteUri.EndsWith('/') ? server : new Uri(server.AbsoluteUri + "/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new GantryClient(client);
    }

    public void Dispose() => http.Dispose();

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), RequestTimeout, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private static HttpRequestMessage JsonRequest<T>(HttpMethod method, string path, T body) => new(method, path)
    {
        Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json"),
    };

    /// <summary>Sends and answers the response when it succeeded; a refusal becomes <see cref="GantryApiException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            limit.CancelAfter(timeout);
        }

        HttpResponseMessage response;
        try
        {
            using (request)
            {
                response = await http.SendAsync(request, completion, limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Server.Authority} did not answer within {timeout.TotalSeconds:F0} s.");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await GantryApiException.FromResponseAsync(response, cancellationToken);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
        ?? throw new GantryApiException(response.StatusCode, $"The server answered {(int)response.StatusCode} with no body.");

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? string.Empty : "?" + string.Join('&', given);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool IsCreated(HttpResponseMessage response) => response.StatusCode == HttpStatusCode.Created;
}
