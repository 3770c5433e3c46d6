using System.Net;
using System.Text;
using Gantry.Sealing;
using Gantry.Sealing.Keys;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Sealing;

/// <summary>
/// A server with two tenants: <c>tenant-a</c> (viewer, admin) and <c>tenant-b</c> (admin), and sealing settings
/// chosen by the test class.
/// </summary>
public sealed class SealingWorld(IReadOnlyDictionary<string, string?>? settings = null) : IAsyncDisposable
{
    public const string TenantA = "tenant-a";
    public const string TenantB = "tenant-b";
    private const string Password = "a long enough test password";

    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public GantryServerFactory Factory { get; } = Configure(new GantryServerFactory(), settings);

    public string DatabaseFile => Path.Combine(Factory.DataDir, "gantry.db");

    public HttpClient As(string who) => Factory.CreateClient().WithBearer(_tokens[who]);

    public async Task<SealingWorld> StartAsync()
    {
        var admin = await Factory.CreateAdminClientAsync();
        var anonymous = Factory.CreateClient();
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = tenant }).ExpectAsync(HttpStatusCode.Created);
        }

        foreach (var (user, tenant, role) in new[] { ("a-viewer", TenantA, "viewer"), ("a-admin", TenantA, "admin"), ("b-admin", TenantB, "admin") })
        {
            var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = user, password = Password }).ExpectAsync(HttpStatusCode.Created);
            await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{tenant}/members/{created.GetProperty("id").GetString()}", new { role })
                .ExpectAsync(HttpStatusCode.OK);
            _tokens[user] = (await anonymous.LoginAsync(user, Password)).GetProperty("access_token").GetString()!;
        }

        return this;
    }

    public ValueTask DisposeAsync()
    {
        Factory.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The tenant's active certificate as served to sealers.</summary>
    public static async Task<SealingCertificate> CertificateAsync(HttpClient client, string tenant)
    {
        var response = await client.GetAsync(new Uri($"/api/v1/tenants/{tenant}/sealing-key", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-pem-file", response.Content.Headers.ContentType?.MediaType);
        return SealingCertificate.Parse(await response.Content.ReadAsStringAsync(), TimeProvider.System);
    }

    /// <summary>Downloads the private key Secret (must succeed) and answers its YAML.</summary>
    public static async Task<string> DownloadAsync(HttpClient client, string tenant)
    {
        var response = await client.GetAsync(new Uri($"/api/v1/tenants/{tenant}/sealing-key/private-key", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");
        return body;
    }

    public static string Seal(SealingCertificate certificate, string value) =>
        new SealedSecretsSealer(certificate).SealValue(Encoding.UTF8.GetBytes(value), SealingScope.Strict, "team", "db");

    public static string Unseal(IEnumerable<SealingPrivateKey> keys, string sealedValue) =>
        Encoding.UTF8.GetString(new SealedSecretsUnsealer(keys).UnsealValue(sealedValue, SealingScope.Strict, "team", "db"));

    private static GantryServerFactory Configure(GantryServerFactory factory, IReadOnlyDictionary<string, string?>? settings)
    {
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            factory.With(key, value);
        }

        return factory;
    }
}
