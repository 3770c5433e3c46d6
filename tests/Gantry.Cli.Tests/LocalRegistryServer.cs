extern alias server;

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gantry.Testing.Registries;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RetentionSweep = server::Gantry.Server.Registry.RegistryRetentionSweep;

namespace Gantry.Cli.Tests;

/// <summary>
/// A Gantry of its own that is the token server of a real Debian <c>docker-registry</c> (distribution 2.8,
/// <c>auth: token</c>, deletes enabled): Gantry signs with a leaf certificate of a test CA that the registry trusts
/// through <c>rootcertbundle</c>. <see cref="OtherUser"/> is a second member of the pool, whose <c>-local</c> namespace
/// <see cref="GantryServer.PoolUser"/> may not push to. The retention sweep runs on <see cref="Clock"/>.
/// </summary>
public sealed class LocalRegistryServer : GantryServer
{
    public const string OtherUser = "team1-ops";
    public const string Service = "gantry-test-registry";
    public const string TokenIssuer = "gantry-test-token-server";

    private readonly Gantry.Testing.TempFolder _keys = new("gantry-registry-keys");
    private readonly int _registryPort = Gantry.Testing.Ports.Free();
    private string _caPem = null!;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public DockerRegistry Registry { get; private set; } = null!;

    public string RegistryHost => $"127.0.0.1:{_registryPort}";

    protected override void Configure(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WriteSigningCertificates();
        builder.UseSetting("Registry:Url", $"http://{RegistryHost}/");
        builder.UseSetting("Registry:TokenServer:Issuer", TokenIssuer);
        builder.UseSetting("Registry:TokenServer:Service", Service);
        builder.UseSetting("Registry:TokenServer:CertificateFile", _keys.Combine("signer.pem"));
        builder.UseSetting("Registry:TokenServer:KeyFile", _keys.Combine("signer.key"));
        // The test sweeps when it wants; the timer must not race it.
        builder.UseSetting("Registry:SweepInterval", "30.00:00:00");
        builder.ConfigureTestServices(services => services.AddKeyedSingleton<TimeProvider>(RetentionSweep.ClockKey, Clock));
    }

    protected override async Task StartedAsync()
    {
        using var admin = await ClientAsAsync("admin", AdminPassword);
        var created = await SendAsync(admin, HttpMethod.Post, "/api/v1/users", new { username = OtherUser, password = Password, email = $"{OtherUser}@example.com" });
        await SendAsync(admin, HttpMethod.Put, $"/api/v1/tenants/{Pool}/members/{created.GetProperty("id").GetString()}", new { role = "admin" });
        Registry = await DockerRegistry.StartAsync(new RegistryTokenAuth(new Uri(Url, "api/v1/registry/token"), Service, TokenIssuer, _caPem), _registryPort);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Registry?.Dispose();
            _keys.Dispose();
        }

        base.Dispose(disposing);
    }

    private void WriteSigningCertificates()
    {
        // EC throughout: the signer is ES256 (RS256 keys work the same way).
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Gantry test registry token CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Gantry test registry token signer", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using var leaf = request.Create(ca, now.AddDays(-1), now.AddDays(2), [9, 8, 7, 6, 5, 4, 3, 2]);
        _caPem = ca.ExportCertificatePem();
        File.WriteAllText(_keys.Combine("signer.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(_keys.Combine("signer.key"), key.ExportPkcs8PrivateKeyPem());
    }
}

[CollectionDefinition(Name)]
public sealed class SharedLocalRegistry : ICollectionFixture<LocalRegistryServer>
{
    public const string Name = "gantry with a registry";
}
