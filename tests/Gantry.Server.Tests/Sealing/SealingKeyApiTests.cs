using System.Net;
using System.Text;
using Gantry.Sealing;
using Gantry.Sealing.Keys;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Sealing;

/// <summary>One server in tenant-key custody without escrow, shared by the tests of <see cref="SealingKeyApiTests"/>.</summary>
public sealed class TenantKeyServer : IAsyncLifetime
{
    public SealingWorld World { get; } = new();

    public async Task InitializeAsync() => await World.StartAsync();

    public async Task DisposeAsync() => await World.DisposeAsync();
}

public sealed class SealingKeyApiTests(TenantKeyServer server) : IClassFixture<TenantKeyServer>
{
    private SealingWorld World => server.World;

    [Fact]
    public async Task Private_key_downloads_once_opens_values_sealed_with_the_served_certificate_then_answers_410()
    {
        var admin = World.As("a-admin");
        var certificate = await SealingWorld.CertificateAsync(admin, SealingWorld.TenantA);
        var sealedValue = SealingWorld.Seal(certificate, "s3cr3t");

        var yaml = await SealingWorld.DownloadAsync(admin, SealingWorld.TenantA);
        var secret = Gantry.Sealing.Manifests.ManifestSerializer.ReadSecret(yaml);
        Assert.Equal("kubernetes.io/tls", secret.Type);
        Assert.Equal("active", secret.Metadata.Labels[SealingKeyPair.ControllerKeyLabel]);
        Assert.Equal("kube-system", secret.Metadata.Namespace);
        Assert.Equal("s3cr3t", SealingWorld.Unseal(SealingPrivateKeys.Load(yaml), sealedValue));

        var again = await admin.GetAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/private-key", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Contains("already downloaded", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var facts = await admin.GetAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key?format=json", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(facts.GetProperty("privateKeyDownloaded").GetBoolean());
        Assert.Equal("tenant-key", facts.GetProperty("mode").GetString());
        Assert.Equal(certificate.Fingerprint, facts.GetProperty("fingerprint").GetString());

        // The database keeps no copy of the key, not even in free pages or the write-ahead log.
        var keyPem = Encoding.ASCII.GetString(secret.Data["tls.key"]);
        var bodyLines = keyPem.Split('\n').Where(l => l.Length == 64).Take(5).ToList();
        Assert.NotEmpty(bodyLines);
        foreach (var file in new[] { World.DatabaseFile, World.DatabaseFile + "-wal" }.Where(File.Exists))
        {
            var content = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(file));
            Assert.All(bodyLines, line => Assert.DoesNotContain(line, content, StringComparison.Ordinal));
        }

        var platformAdmin = await World.Factory.CreateAdminClientAsync();
        var audit = await platformAdmin.GetAsync(new Uri($"/api/v1/audit?tenant={SealingWorld.TenantA}", UriKind.Relative))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "sealing-key.private-key.download");
    }

    [Fact]
    public async Task Rotation_issues_a_new_certificate_and_the_old_key_still_opens_values_sealed_before()
    {
        var admin = World.As("b-admin");
        var first = await SealingWorld.CertificateAsync(admin, SealingWorld.TenantB);
        var oldKeys = SealingPrivateKeys.Load(await SealingWorld.DownloadAsync(admin, SealingWorld.TenantB));
        var sealedBefore = SealingWorld.Seal(first, "before");

        var rotated = await admin.PostAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantB}/sealing-key/rotate", UriKind.Relative), null)
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("old private key", rotated.GetProperty("notice").GetString(), StringComparison.Ordinal);
        Assert.NotNull(rotated.GetProperty("retiredKeyId").GetString());

        var second = await SealingWorld.CertificateAsync(admin, SealingWorld.TenantB);
        Assert.NotEqual(first.Fingerprint, second.Fingerprint);
        Assert.Equal(rotated.GetProperty("key").GetProperty("fingerprint").GetString(), second.Fingerprint);
        var newKeys = SealingPrivateKeys.Load(await SealingWorld.DownloadAsync(admin, SealingWorld.TenantB));
        var sealedAfter = SealingWorld.Seal(second, "after");

        Assert.Equal("before", SealingWorld.Unseal(oldKeys, sealedBefore));
        Assert.Equal("after", SealingWorld.Unseal([.. oldKeys, .. newKeys], sealedAfter));
        Assert.Throws<SealingException>(() => SealingWorld.Unseal(newKeys, sealedBefore));
    }

    [Fact]
    public async Task Viewer_reads_the_certificate_but_may_not_download_or_rotate_and_another_tenant_sees_nothing()
    {
        var viewer = World.As("a-viewer");
        await SealingWorld.CertificateAsync(viewer, SealingWorld.TenantA);
        await viewer.GetAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/private-key", UriKind.Relative)).ExpectAsync(HttpStatusCode.Forbidden);
        await viewer.PostAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/rotate", UriKind.Relative), null).ExpectAsync(HttpStatusCode.Forbidden);

        var other = World.As("b-admin");
        await other.GetAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
        await other.GetAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/private-key", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
        await other.PostAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/rotate", UriKind.Relative), null).ExpectAsync(HttpStatusCode.NotFound);

        var admin = await World.Factory.CreateAdminClientAsync();
        await admin.GetAsync(new Uri("/api/v1/tenants/no-such-tenant/sealing-key", UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Concurrent_downloads_hand_the_private_key_out_exactly_once()
    {
        var platformAdmin = await World.Factory.CreateAdminClientAsync();
        await platformAdmin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = "tenant-race" }).ExpectAsync(HttpStatusCode.Created);
        await SealingWorld.CertificateAsync(platformAdmin, "tenant-race");

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            platformAdmin.GetAsync(new Uri("/api/v1/tenants/tenant-race/sealing-key/private-key", UriKind.Relative))));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.Gone, a.StatusCode));
        await platformAdmin.GetAsync(new Uri("/api/v1/tenants/tenant-race/sealing-key?format=xml", UriKind.Relative)).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Controller_certificates_are_refused_in_tenant_key_custody()
    {
        var admin = World.As("a-admin");
        var response = await admin.PutAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/controller-cert", UriKind.Relative),
            new StringContent("-----BEGIN CERTIFICATE-----\n"));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }
}
