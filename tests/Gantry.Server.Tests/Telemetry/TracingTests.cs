using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gantry.Core.Diagnostics;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Telemetry;

/// <summary>
/// One trace per change: the request's span and, under it, Gantry's steps (authorize, validate, resolve, seal, render,
/// commit) with the commit id; and the trace leaves over OTLP for a collector listening on loopback.
/// </summary>
public sealed class TracingTests
{
    private const string RequestActivity = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    private static readonly string[] Steps = ["gantry.authorize", "gantry.validate", "gantry.resolve", "gantry.seal", "gantry.render", "gantry.git.commit"];

    [Fact]
    public async Task A_change_is_one_trace_through_every_step_with_the_commit_id()
    {
        var seen = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is GantryTracing.SourceName or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = seen.Add,
        };
        ActivitySource.AddActivityListener(listener);

        using var factory = new GantryServerFactory();
        var admin = await factory.CreateAdminClientAsync();
        var traceId = ActivityTraceId.CreateRandom();
        var created = await Traced(admin, traceId, "/api/v1/tenants/demo/instances/traced", new { offering = "qdrant", values = new { replicaCount = 1 } })
            .ExpectAsync(HttpStatusCode.Created);

        // The server's request activity stops once the response is sent, which may be after the client has it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!seen.Any(a => a.TraceId == traceId && a.OperationName == RequestActivity) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        var trace = seen.Where(a => a.TraceId == traceId).ToList();
        var request = Assert.Single(trace, a => a.OperationName == RequestActivity);
        foreach (var step in Steps)
        {
            Assert.True(trace.Any(a => a.OperationName == step), $"No {step} in {string.Join(", ", trace.Select(a => $"{a.Source.Name}/{a.OperationName}"))}");
        }

        Assert.All(trace.Where(a => a != request), a => Assert.NotNull(a.ParentId));
        // The tenant's first change also commits the tenant into the engines' index (its own commit span): the change's is the one with its revision.
        var revision = created.GetProperty("revision").GetString();
        var commit = Assert.Single(trace, a => a.OperationName == "gantry.git.commit" && Equals(a.GetTagItem(GantryTracing.Tags.Commit), revision));

        // The batch that carried the change is its own span (it carries other requests' changes too), linked to this one.
        var persist = seen.Where(a => a.OperationName == "gantry.git.persist");
        Assert.Contains(persist, p => p.Links.Any(l => l.Context.SpanId == commit.SpanId) && Equals(p.GetTagItem(GantryTracing.Tags.Commit), commit.GetTagItem(GantryTracing.Tags.Commit)));
    }

    [Fact]
    public async Task Traces_are_exported_over_otlp_when_an_endpoint_is_configured()
    {
        using var collector = new OtlpCollector();
        using var factory = new GantryServerFactory()
            .With("Telemetry:OtlpEndpoint", collector.Url)
            .With("Telemetry:OtlpProtocol", "http/protobuf")
            .With("OTEL_BSP_SCHEDULE_DELAY", "200");
        var admin = await factory.CreateAdminClientAsync();
        var traceId = ActivityTraceId.CreateRandom();
        await Traced(admin, traceId, "/api/v1/tenants/demo/instances/exported", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);

        // OTLP/protobuf carries the trace id as 16 raw bytes and span names as UTF-8; the spans may come in several batches.
        var id = Convert.FromHexString(traceId.ToHexString());
        foreach (var step in Steps)
        {
            var name = System.Text.Encoding.UTF8.GetBytes(step);
            await collector.WaitForAsync(b => b.AsSpan().IndexOf(id) >= 0 && b.AsSpan().IndexOf(name) >= 0, TimeSpan.FromSeconds(30));
        }

        Assert.Equal("/v1/traces", collector.LastPath);
        Assert.Equal("application/x-protobuf", collector.LastContentType);
    }

    private static Task<HttpResponseMessage> Traced(HttpClient client, ActivityTraceId traceId, string url, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        return client.SendAsync(request);
    }

    /// <summary>An OTLP/HTTP receiver on loopback: keeps every request body it is sent and answers 200.</summary>
    private sealed class OtlpCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly List<byte[]> _bodies = [];
        private readonly SemaphoreSlim _received = new(0);
        private readonly Task _loop;

        public OtlpCollector()
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public string? LastPath { get; private set; }

        public string? LastContentType { get; private set; }

        public async Task<byte[]> WaitForAsync(Func<byte[], bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                lock (_bodies)
                {
                    if (_bodies.FirstOrDefault(match) is { } body)
                    {
                        return body;
                    }
                }

                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero, $"No matching export within {timeout}; {_bodies.Count} received.");
                await _received.WaitAsync(left);
            }
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var buffer = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(buffer);
                LastPath = context.Request.Url!.AbsolutePath;
                LastContentType = context.Request.ContentType;
                lock (_bodies)
                {
                    _bodies.Add(buffer.ToArray());
                }

                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
                _received.Release();
            }
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
