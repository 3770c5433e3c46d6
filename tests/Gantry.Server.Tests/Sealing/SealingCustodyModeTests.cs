using System.Net;
using Gantry.Data;
using Gantry.Data.Sealing;
using Gantry.Sealing.Keys;
using Gantry.Server.Sealing;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Gantry.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Server.Tests.Sealing;

/// <summary>The other custody settings: controller certificates, escrow, and settings refused at start.</summary>
public sealed class SealingCustodyModeTests
{
    [Fact]
    public async Task Controller_cert_custody_takes_an_uploaded_certificate_and_refuses_an_expired_one()
    {
        await using var world = await new SealingWorld(new Dictionary<string, string?> { ["Sealing:Custody"] = "controller-cert" }).StartAsync();
        var admin = world.As("a-admin");
        var url = new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key", UriKind.Relative);
        var certUrl = new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/controller-cert", UriKind.Relative);
        await admin.GetAsync(url).ExpectAsync(HttpStatusCode.NotFound);

        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-10));
        var expired = SealingKeyPair.Generate(past, new SealingKeyOptions { KeySizeBits = 2048, Validity = TimeSpan.FromDays(1) }).Certificate;
        var refused = await admin.PutAsync(certUrl, new StringContent(expired.Pem)).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("expired", refused.GetProperty("errors").GetProperty("pem")[0].GetString(), StringComparison.Ordinal);
        var garbage = await admin.SendJsonAsync(HttpMethod.Put, certUrl.ToString(), new { pem = "not a certificate" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(garbage.GetProperty("errors").TryGetProperty("pem", out _));
        var plainHttp = await admin.SendJsonAsync(HttpMethod.Put, certUrl.ToString(), new { url = "http://controller/v1/cert.pem" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(plainHttp.GetProperty("errors").TryGetProperty("url", out _));

        var controller = SealingKeyPair.Generate(TimeProvider.System, new SealingKeyOptions { KeySizeBits = 2048 });
        var uploaded = await admin.SendJsonAsync(HttpMethod.Put, certUrl.ToString(), new { pem = controller.Certificate.Pem }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("controller-cert", uploaded.GetProperty("key").GetProperty("mode").GetString());

        Assert.Equal(controller.Certificate.Fingerprint, (await SealingWorld.CertificateAsync(admin, SealingWorld.TenantA)).Fingerprint);
        await admin.GetAsync(new Uri($"{url}/private-key", UriKind.Relative)).ExpectAsync(HttpStatusCode.Conflict);
        await admin.PostAsync(new Uri($"{url}/rotate", UriKind.Relative), null).ExpectAsync(HttpStatusCode.Conflict);
        await world.As("a-viewer").PutAsync(certUrl, new StringContent(controller.Certificate.Pem)).ExpectAsync(HttpStatusCode.Forbidden);
        await world.As("b-admin").PutAsync(certUrl, new StringContent(controller.Certificate.Pem)).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Instance_secrets_need_an_uploaded_controller_certificate_and_are_sealed_for_it()
    {
        await using var world = await new SealingWorld(new Dictionary<string, string?> { ["Sealing:Custody"] = "controller-cert" }).StartAsync();
        var admin = world.As("a-admin");
        var instance = $"/api/v1/tenants/{SealingWorld.TenantA}/instances/vectors";

        // Nothing to seal with yet: refused, and nothing is written.
        var refused = await admin.SendJsonAsync(HttpMethod.Put, instance, new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("controller-cert", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await admin.GetAsync(new Uri(instance, UriKind.Relative)).ExpectAsync(HttpStatusCode.NotFound);

        var controller = SealingKeyPair.Generate(TimeProvider.System, new SealingKeyOptions { KeySizeBits = 2048 });
        await admin.SendJsonAsync(HttpMethod.Put, $"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/controller-cert", new { pem = controller.Certificate.Pem })
            .ExpectAsync(HttpStatusCode.OK);
        var created = await admin.SendJsonAsync(HttpMethod.Put, instance, new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);
        var apiKey = created.GetProperty("credentials").GetProperty("api-key").GetString()!;

        // Only the controller's private key opens what was committed.
        var path = Gantry.Core.Rendering.GitOpsLayout.ArgoCdSecrets(SealingWorld.TenantA, "vectors");
        var committed = Gantry.Sealing.Manifests.ManifestSerializer.ReadSealedSecret(
            Gantry.Git.Testing.GitCli.Run(Path.Combine(world.Factory.DataDir, "state.git"), "show", $"main:{path}"));
        var opened = new Gantry.Sealing.SealedSecretsUnsealer([controller.PrivateKey]).Unseal(committed);
        Assert.Equal(apiKey, System.Text.Encoding.UTF8.GetString(opened.Data["api-key"]));
    }

    [Fact]
    public async Task With_escrow_the_stored_private_key_is_encrypted_and_recoverable_with_the_master_key()
    {
        var master = EscrowMasterKey.Generate("master-1");
        await using var world = await new SealingWorld(new Dictionary<string, string?> { ["Sealing:Escrow:MasterKey"] = master.ToBase64() }).StartAsync();
        var admin = world.As("a-admin");
        var certificate = await SealingWorld.CertificateAsync(admin, SealingWorld.TenantA);

        var repository = new SealingKeyRepository(new SqliteMetadataDatabase($"Data Source={world.DatabaseFile}"));
        var stored = await repository.FindActiveAsync(SealingWorld.TenantA);
        Assert.NotNull(stored?.PrivateKey);
        Assert.DoesNotContain("PRIVATE KEY", stored.PrivateKey, StringComparison.Ordinal);
        var escrow = new SealingKeyEscrow([master]);
        Assert.Equal(certificate.PublicKeyFingerprint, escrow.Unprotect(stored.PrivateKey).PublicKeyFingerprint);

        var downloaded = SealingPrivateKeys.Load(await SealingWorld.DownloadAsync(admin, SealingWorld.TenantA));
        var gone = await admin.GetAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/private-key", UriKind.Relative)).ExpectAsync(HttpStatusCode.Gone);
        Assert.Contains("platform administrator can recover", gone.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var after = await repository.FindActiveAsync(SealingWorld.TenantA);
        Assert.Null(after?.PrivateKey);
        var recovered = escrow.Unprotect(after!.EscrowedKey!);
        Assert.Equal(downloaded[0].PublicKeyFingerprint, recovered.PublicKeyFingerprint);
        Assert.Equal("kept", SealingWorld.Unseal([recovered], SealingWorld.Seal(certificate, "kept")));
        Assert.Throws<Gantry.Sealing.SealingException>(() => new SealingKeyEscrow([EscrowMasterKey.Generate("master-1")]).Unprotect(after.EscrowedKey!));

        // Through the API: a platform administrator recovers it; the tenant admin may not.
        var recover = new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key/recover", UriKind.Relative);
        await admin.PostAsync(recover, null).ExpectAsync(HttpStatusCode.Forbidden);
        var platformAdmin = await world.Factory.CreateAdminClientAsync();
        var response = await platformAdmin.PostAsync(recover, null);
        var yaml = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, yaml);
        Assert.Equal(downloaded[0].PublicKeyFingerprint, SealingPrivateKeys.Load(yaml)[0].PublicKeyFingerprint);
        var audit = await platformAdmin.GetAsync(new Uri($"/api/v1/audit?tenant={SealingWorld.TenantA}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "sealing-key.escrow.recover");
    }

    [Theory]
    [InlineData("Sealing:Custody", "vault", "Sealing:Custody 'vault' is not supported")]
    [InlineData("Sealing:Escrow:MasterKey", "not base64!", "Sealing:Escrow:MasterKey is not usable")]
    [InlineData("Sealing:Escrow:MasterKey", "c2hvcnQ=", "Sealing:Escrow:MasterKey is not usable")]
    [InlineData("Sealing:Escrow:MasterKeyFile", "/no/such/escrow.key", "Sealing:Escrow:MasterKeyFile '/no/such/escrow.key' does not exist")]
    public void Bad_sealing_settings_are_refused_naming_the_key(string key, string value, string expected)
    {
        using var dataDir = new TempFolder("gantry-sealing-options");
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => ValidateOptions(dataDir.Path, key, value));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64!", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escrow_master_key_file_inside_the_data_folder_stops_the_start_with_the_key_named()
    {
        using var folder = new TempFolder("gantry-escrow-start");
        var dataDir = folder.Combine("data");
        Directory.CreateDirectory(dataDir);
        var keyFile = Path.Combine(dataDir, "escrow.key");
        await File.WriteAllTextAsync(keyFile, EscrowMasterKey.Generate("k").ToBase64());
        await using var server = ServerProcess.Start(["--data-dir", dataDir], new Dictionary<string, string> { ["Sealing__Escrow__MasterKeyFile"] = keyFile });

        Assert.NotEqual(0, await server.WaitForExitAsync());

        var error = server.StandardError.Trim().Split('\n')[^1];
        Assert.StartsWith("gantry: cannot start:", error, StringComparison.Ordinal);
        Assert.Contains("Sealing:Escrow:MasterKeyFile", error, StringComparison.Ordinal);
        Assert.Contains("inside Gantry:DataDir", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Escrow_master_key_file_outside_the_data_folder_is_used()
    {
        using var folder = new TempFolder("gantry-escrow");
        var master = EscrowMasterKey.Generate("master-1");
        var file = folder.Combine("escrow.key");
        await File.WriteAllTextAsync(file, master.ToBase64() + "\n");
        await using var world = await new SealingWorld(new Dictionary<string, string?> { ["Sealing:Escrow:MasterKeyFile"] = file }).StartAsync();

        var facts = await world.As("a-admin").GetAsync(new Uri($"/api/v1/tenants/{SealingWorld.TenantA}/sealing-key?format=json", UriKind.Relative))
            .ExpectAsync(HttpStatusCode.OK);

        Assert.True(facts.GetProperty("escrowed").GetBoolean());
    }

    private static void ValidateOptions(string dataDir, string key, string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Gantry:DataDir"] = dataDir, [key] = value })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddOptions<Gantry.Server.Hosting.GantryOptions>().BindConfiguration(Gantry.Server.Hosting.GantryOptions.SectionName);
        services.AddSealingCustody();
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<SealingOptions>>().Value;
    }
}
