using System.Net;
using System.Net.Sockets;
using Gantry.Server.Hosting;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Status;

/// <summary>
/// Engine notifications never reach link-local, unspecified or multicast addresses, and loopback only when allowed:
/// checked where the connection is made, whatever the notify URL's host resolves to.
/// </summary>
public sealed class OutboundTargetTests
{
    [Theory]
    [InlineData("169.254.169.254", false, "a link-local address")]
    [InlineData("::ffff:169.254.169.254", false, "a link-local address")]
    [InlineData("fe80::1", false, "a link-local address")]
    [InlineData("0.0.0.0", false, "an unspecified address")]
    [InlineData("::", false, "an unspecified address")]
    [InlineData("224.0.0.1", false, "a multicast or reserved address")]
    [InlineData("ff02::1", false, "a multicast address")]
    [InlineData("127.0.0.1", false, "a loopback address")]
    [InlineData("::ffff:127.0.0.1", false, "a loopback address")]
    [InlineData("::1", false, "a loopback address")]
    [InlineData("127.0.0.1", true, null)]
    [InlineData("169.254.169.254", true, "a link-local address")]
    [InlineData("10.1.2.3", false, null)]
    [InlineData("203.0.113.7", false, null)]
    [InlineData("2001:db8::1", false, null)]
    public void Refuses_the_addresses_notifications_must_not_reach(string address, bool allowLoopback, string? refusal)
    {
        Assert.Equal(refusal, OutboundTargetGuard.Refusal(IPAddress.Parse(address), allowLoopback));
    }

    [Fact]
    public async Task A_notify_url_resolving_to_loopback_is_never_connected_to_when_loopback_is_not_allowed()
    {
        // A listener on loopback that counts connections; "localhost" is a name, so only the connection-time guard sees it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var factory = new GantryServerFactory()
            .With("Status:NotifyAllowLoopback", "false")
            .With("Status:NotifyRetryDelay", "00:00:00.050")
            .With("Status:NotifyAttempts", "1");
        var admin = await factory.CreateAdminClientAsync();
        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/clusters",
            new { name = "aimed-home", engine = "flux", tenants = new[] { "demo" }, notifyUrl = $"http://localhost:{port}" }).ExpectAsync(HttpStatusCode.Created);

        await admin.SendJsonAsync(HttpMethod.Put, "/api/v1/tenants/demo/instances/guarded", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? lastError = null;
        while (lastError is null && DateTime.UtcNow < deadline)
        {
            var cluster = await admin.GetAsync("/api/v1/clusters/aimed-home").ExpectAsync(HttpStatusCode.OK);
            lastError = cluster.GetProperty("notifications").GetProperty("lastError").GetString();
            await Task.Delay(100);
        }

        Assert.NotNull(lastError);
        Assert.Contains("loopback", lastError, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "Gantry connected to the loopback listener.");
    }
}
