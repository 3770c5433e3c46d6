using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gantry.Testing.Replicas;

/// <summary>What one write answered: the status (0 when no answer came), the revision (ETag) and the value written.</summary>
public sealed record WriteResult(int Status, string? Revision, string Uuid, int Replicas, string? Problem = null, TimeSpan? RetryAfter = null)
{
    public bool Acknowledged => Status is 200 or 201;
}

/// <summary>An instance as read back: its revision (ETag), replica count, uuid value and the generation its index row has.</summary>
public sealed record ReadResult(int Status, string? Revision, int Replicas, string? Uuid, long Generation = -1);

/// <summary>
/// Writes and reads instances of the shipped <c>runner</c> offering over HTTP. Each write carries a fresh uuid in its
/// values, so every acknowledged write is a distinct claim that can be found in the remote's history.
/// </summary>
public static class RunnerApi
{
    public static string Url(string tenant, string name) => $"/api/v1/tenants/{tenant}/instances/{name}";

    public static async Task<WriteResult> PutAsync(HttpClient http, string tenant, string name, int replicas, string? ifMatch = null, CancellationToken cancellationToken = default)
    {
        var uuid = Guid.NewGuid().ToString();
        using var request = new HttpRequestMessage(HttpMethod.Put, Url(tenant, name))
        {
            Content = JsonContent.Create(new
            {
                offering = "runner",
                values = new { organization = "acme", uuid, replicas },
                secrets = new Dictionary<string, string> { ["registration-token"] = "runner-registration-token" },
            }),
        };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var problem = response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync(cancellationToken);
            return new WriteResult((int)response.StatusCode, response.Headers.ETag?.Tag.Trim('"'), uuid, replicas, problem, response.Headers.RetryAfter?.Delta);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            // No answer (the replica died, or the test stopped waiting): not acknowledged.
            return new WriteResult(0, null, uuid, replicas, e.GetType().Name);
        }
    }

    public static async Task<ReadResult> GetAsync(HttpClient http, string tenant, string name)
    {
        using var response = await http.GetAsync(Url(tenant, name));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new ReadResult((int)response.StatusCode, null, -1, null);
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var values = body.GetProperty("values");
        return new ReadResult(200, response.Headers.ETag?.Tag.Trim('"'), values.GetProperty("replicas").GetInt32(), values.GetProperty("uuid").GetString(),
            body.GetProperty("status").GetProperty("generation").GetInt64());
    }
}
