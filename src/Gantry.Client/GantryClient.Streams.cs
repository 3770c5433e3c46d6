using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Gantry.Client;

public sealed partial class GantryClient
{
    /// <summary>How many connection attempts in a row may fail before a stream gives up.</summary>
    public int StreamReconnectAttempts { get; init; } = 5;

    /// <summary>
    /// Live status of a tenant's instances (or of one, with <paramref name="instance"/>) from the Server-Sent Events
    /// stream. Starts after <paramref name="lastEventId"/> when given (what was missed comes first), and reconnects
    /// with <c>Last-Event-ID</c> when the connection drops, so no event is lost or repeated. Runs until cancelled;
    /// a refusal (404, 401) throws <see cref="GantryApiException"/> at once.
    /// </summary>
    public async IAsyncEnumerable<StatusEvent> StreamStatusEventsAsync(
        string tenant, string? instance = null, long? lastEventId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = instance is null ? $"api/v1/tenants/{Segment(tenant)}/events/stream" : $"{Instance(tenant, instance)}/events/stream";
        var retry = TimeSpan.FromSeconds(3);
        var failures = 0;
        while (true)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (lastEventId is { } last)
            {
                request.Headers.TryAddWithoutValidation("Last-Event-ID", Number(last));
            }

            HttpResponseMessage response;
            try
            {
                response = await SendAsync(request, Timeout.InfiniteTimeSpan, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (HttpRequestException) when (++failures < StreamReconnectAttempts)
            {
                await Task.Delay(retry, cancellationToken);
                continue;
            }

            using (response)
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var events = ServerSentEventReader.ReadAsync(body, cancellationToken).GetAsyncEnumerator(cancellationToken);
                try
                {
                    while (await NextOrEndAsync(events))
                    {
                        failures = 0;
                        var e = events.Current;
                        retry = e.Retry ?? retry;
                        if (e.Type != "status")
                        {
                            continue;
                        }

                        var status = JsonSerializer.Deserialize<StatusEvent>(e.Data, Json)!;
                        lastEventId = status.Id;
                        yield return status;
                    }
                }
                finally
                {
                    await events.DisposeAsync();
                }
            }

            // The server closed the stream or the connection dropped: resume after the last event seen.
            await Task.Delay(retry, cancellationToken);
        }
    }

    // A dropped connection ends this connection's events like the end of the stream does; cancellation still throws.
    private static async Task<bool> NextOrEndAsync(IAsyncEnumerator<ServerSentEvent> events)
    {
        try
        {
            return await events.MoveNextAsync();
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return false;
        }
    }
}
