using Gantry.Testing;
using System.Net;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Identity;

/// <summary>Against the real server process, so requests come over TCP and the audit records the client address.</summary>
public sealed class AuditClientAddressTests : IDisposable
{
    private readonly TempFolder _folder = new("gantry-audit");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Login_failure_and_success_are_audited_with_who_when_and_from_where()
    {
        await using var server = ServerProcess.Start(
            ["--data-dir", _folder.Combine("data")],
            new Dictionary<string, string> { ["GANTRY_BOOTSTRAP_ADMIN_PASSWORD"] = "process-admin-password" });
        await server.WaitUntilListeningAsync();
        using var http = new HttpClient { BaseAddress = server.Address };
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        await http.PasswordGrantAsync("admin", "not the admin password").ExpectAsync(HttpStatusCode.BadRequest);
        var token = (await http.LoginAsync("admin", "process-admin-password")).GetProperty("access_token").GetString()!;
        http.WithBearer(token);
        var events = await http.GetAsync("/api/v1/audit").ExpectAsync(HttpStatusCode.OK);

        var logins = events.EnumerateArray().Where(e => e.GetProperty("action").GetString() == "auth.login").ToList();
        Assert.Equal(["success", "failure"], logins.Select(e => e.GetProperty("outcome").GetString()));
        Assert.All(logins, e =>
        {
            Assert.Equal("admin", e.GetProperty("actorName").GetString());
            Assert.Equal("127.0.0.1", e.GetProperty("clientIp").GetString());
            Assert.InRange(e.GetProperty("occurredAt").GetDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(5));
        });
        Assert.DoesNotContain("process-admin-password", server.StandardOutput + server.StandardError, StringComparison.Ordinal);
    }
}
