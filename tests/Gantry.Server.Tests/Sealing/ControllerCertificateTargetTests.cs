using System.Net;
using System.Net.Sockets;
using Gantry.Server.Hosting;
using Gantry.Server.Sealing;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Sealing;

/// <summary>
/// A controller certificate URL comes from a tenant admin, so Gantry fetches it only from addresses a tenant may aim
/// it at: never cloud metadata or other link-local addresses, loopback only when Sealing:ControllerCertAllowLoopback.
/// </summary>
public sealed class ControllerCertificateTargetTests
{
    [Fact]
    public async Task A_tenant_admin_cannot_aim_the_certificate_fetch_at_loopback_or_link_local_addresses()
    {
        // A listener that counts connections; "localhost" is a name, so only the connection-time guard sees it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var world = await new SealingWorld(new Dictionary<string, string?> { ["Sealing:Custody"] = "controller-cert" }).StartAsync();
        var admin = world.As("a-admin");
        var certUrl = $"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/controller-cert";

        var home = await admin.SendJsonAsync(HttpMethod.Put, certUrl, new { url = $"https://localhost:{port}/v1/cert.pem" }).ExpectAsync(HttpStatusCode.BadRequest);
        var metadata = await admin.SendJsonAsync(HttpMethod.Put, certUrl, new { url = "https://169.254.169.254/v1/cert.pem" }).ExpectAsync(HttpStatusCode.BadRequest);
        var mapped = await admin.SendJsonAsync(HttpMethod.Put, certUrl, new { url = "https://[::ffff:169.254.169.254]/v1/cert.pem" }).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("a loopback address", UrlError(home), StringComparison.Ordinal);
        Assert.Contains("a link-local address", UrlError(metadata), StringComparison.Ordinal);
        Assert.Contains("a link-local address", UrlError(mapped), StringComparison.Ordinal);
        Assert.False(listener.Pending(), "Gantry connected to the loopback listener.");
        await admin.GetAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, "a loopback address")]
    public async Task The_guarded_fetcher_reaches_loopback_only_when_allowed(bool allowLoopback, string? refusal)
    {
        await using var controller = new LoopbackCertificateServer(SealingTestKeys.Pair.Certificate.Pem);
        using var http = new HttpClient(OutboundTargetGuard.CreateHandler(() => allowLoopback));
        var fetcher = new ControllerCertificateFetcher(http);
        var url = new UriBuilder(controller.CertificateUrl) { Host = "localhost" }.Uri;

        if (refusal is null)
        {
            Assert.Equal(SealingTestKeys.Pair.Certificate.Pem, await fetcher.FetchAsync(url, CancellationToken.None));
        }
        else
        {
            var error = await Assert.ThrowsAsync<CertificateFetchException>(() => fetcher.FetchAsync(url, CancellationToken.None));
            Assert.Equal($"'localhost' resolves to {refusal}, which Gantry does not connect to.", error.Message);
        }
    }

    private static string UrlError(System.Text.Json.JsonElement problem) =>
        string.Join(" ", problem.GetProperty("errors").GetProperty("url").EnumerateArray().Select(e => e.GetString()));
}
