using System.Net;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Status;

/// <summary>Live status: Server-Sent Events with resume, and requests that wait for the engine's outcome.</summary>
public sealed class StatusStreamTests(StatusWorld world) : IClassFixture<StatusWorld>
{
    private const string Tenant = StatusWorld.Tenant;

    [Fact]
    public async Task The_tenant_stream_delivers_commits_and_engine_reports_and_resumes_after_last_event_id()
    {
        using var client = world.As("acme-viewer");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await OpenAsync(client, $"/api/v1/tenants/{Tenant}/events/stream", lastEventId: null, cancel.Token);

        var generation = (await world.PutInstanceAsync(Tenant, "streamed")).GetProperty("status").GetProperty("generation").GetInt64();
        var committed = await NextAsync(stream, e => e.Data.GetProperty("target").GetString() == "streamed", cancel.Token);
        Assert.Equal("Committed", committed.Data.GetProperty("phase").GetString());

        await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, "streamed", generation, "info", "InstallSucceeded", "ok", DateTimeOffset.UtcNow))
            .ExpectAsync(HttpStatusCode.Accepted);
        var ready = await NextAsync(stream, e => e.Data.GetProperty("target").GetString() == "streamed", cancel.Token);
        Assert.Equal(("Ready", "flux"), (ready.Data.GetProperty("phase").GetString(), ready.Data.GetProperty("source").GetString()));
        Assert.True(ready.Id > committed.Id);

        // Resume after the commit: the Ready report comes first, from the timeline.
        using var resumed = await OpenAsync(world.As("acme-viewer"), $"/api/v1/tenants/{Tenant}/instances/streamed/events/stream", committed.Id, cancel.Token);
        var replayed = await NextAsync(resumed, _ => true, cancel.Token);
        Assert.Equal(ready.Id, replayed.Id);
    }

    [Fact]
    public async Task Another_tenant_cannot_open_the_stream_and_sees_nothing_of_this_one()
    {
        var response = await world.As("beta-admin").GetAsync($"/api/v1/tenants/{Tenant}/events/stream");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await world.As("beta-admin").GetAsync($"/api/v1/tenants/{Tenant}/instances/anything/events").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_change_that_waits_answers_with_the_engines_outcome()
    {
        await world.PutInstanceAsync(Tenant, "waited");
        var client = world.As("acme-admin");

        // The engine reports once the commit is there; the scale answers only then, with Ready.
        var engine = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                var status = await world.StatusAsync(Tenant, "waited");
                if (status.GetProperty("generation").GetInt64() == 2)
                {
                    await world.PostFluxAsync("flux-acme", StatusWorld.FluxEvent(Tenant, "waited", 2, "info", "UpgradeSucceeded", "ok", DateTimeOffset.UtcNow))
                        .ExpectAsync(HttpStatusCode.Accepted);
                    return;
                }

                await Task.Delay(50);
            }
        });
        var scaled = await client.SendJsonAsync(HttpMethod.Post, $"/api/v1/tenants/{Tenant}/instances/waited/scale?wait=Ready&timeout=20s", new { replicas = 2 })
            .ExpectAsync(HttpStatusCode.OK);
        await engine;
        Assert.Equal("Ready", scaled.GetProperty("status").GetProperty("phase").GetString());
        Assert.True(scaled.GetProperty("status").GetProperty("deployed").GetBoolean());

        // Nobody reports: 202 with the status so far once the timeout passes.
        var pending = await client.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{Tenant}/instances/waited?wait=Ready&timeout=1s",
            new { offering = "qdrant", values = new { replicaCount = 3 } }).ExpectAsync(HttpStatusCode.Accepted);
        Assert.Equal("Committed", pending.GetProperty("status").GetProperty("phase").GetString());

        // Deleted while a request waits on it: no event comes (the timeline goes with the instance), yet the wait
        // ends within a recheck, with what was committed, instead of at its timeout.
        var doomedUri = new Uri($"/api/v1/tenants/{Tenant}/instances/doomed", UriKind.Relative);
        var deleting = Task.Run(async () =>
        {
            for (var i = 0; i < 200 && (await client.GetAsync(doomedUri)).StatusCode != HttpStatusCode.OK; i++)
            {
                await Task.Delay(50);
            }

            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(doomedUri)).StatusCode);
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var doomed = await client.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{Tenant}/instances/doomed?wait=Ready&timeout=60s",
            new { offering = "qdrant", values = new { replicaCount = 1 } }).ExpectAsync(HttpStatusCode.Created);
        await deleting;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the wait ended {clock.Elapsed} after the delete, not at its timeout");
        Assert.Equal("Committed", doomed.GetProperty("status").GetProperty("phase").GetString());

        // A bad wait changes nothing.
        var bad = await client.SendJsonAsync(HttpMethod.Post, $"/api/v1/tenants/{Tenant}/instances/waited/scale?wait=Deployed", new { replicas = 1 })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("wait", out _));
        Assert.Equal(3, (await world.StatusAsync(Tenant, "waited")).GetProperty("generation").GetInt64());
    }

    private sealed record ServerEvent(long Id, string Type, JsonElement Data);

    private static async Task<StreamReader> OpenAsync(HttpClient client, string url, long? lastEventId, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new StreamReader(await response.Content.ReadAsStreamAsync(cancel));
    }

    private static async Task<ServerEvent> NextAsync(StreamReader reader, Func<ServerEvent, bool> wanted, CancellationToken cancel)
    {
        var (id, type, data) = (0L, "message", (string?)null);
        while (await reader.ReadLineAsync(cancel) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    var e = new ServerEvent(id, type, JsonDocument.Parse(data).RootElement.Clone());
                    if (wanted(e))
                    {
                        return e;
                    }
                }

                (type, data) = ("message", null);
                continue;
            }

            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }

        throw new InvalidOperationException("the stream ended");
    }
}
