using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Testing.Registries;

namespace Gantry.Registries.Tests.Infrastructure;

/// <summary>
/// A token service for a registry configured with <c>auth: token</c> (distribution docs/spec/auth/token.md and jwt.md):
/// serves <c>GET /token?service=&amp;scope=</c> on loopback, checks basic credentials, and signs RS256 JWTs with a leaf
/// certificate (sent as <c>x5c</c>) issued by a test CA that the registry trusts through <c>rootcertbundle</c>.
/// </summary>
public sealed class RegistryTokenIssuer : IDisposable
{
    public const string Service = "gantry-test-registry";
    public const string Issuer = "gantry-test-issuer";
    public const string Username = "robot";
    public const string Password = "s3cret-Pa55";

    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _leaf;
    private readonly RSA _leafKey;
    private readonly LoopbackHttpServer _server;
    private int _tokensIssued;

    public RegistryTokenIssuer()
    {
        using var rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest("CN=Gantry test token CA", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        var now = DateTimeOffset.UtcNow;
        _root = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        _leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=Gantry test token signer", _leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        _leaf = leafRequest.Create(_root, now.AddDays(-1), now.AddDays(1), [1, 2, 3, 4, 5, 6, 7, 8]);

        _server = new LoopbackHttpServer(HandleAsync);
    }

    public Uri Realm => new(_server.BaseUri, "token");

    /// <summary>Tokens handed out so far.</summary>
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>How the registry trusts this issuer, pushing its test content with tokens from it.</summary>
    public RegistryTokenAuth Auth => new(Realm, Service, Issuer, RootCertificatePem, repository => CreateToken([$"repository:{repository}:pull,push"]));

    /// <summary>PEM of the CA for the registry's <c>rootcertbundle</c>.</summary>
    public string RootCertificatePem => _root.ExportCertificatePem();

    /// <summary>A token for <paramref name="scopes"/> like <c>repository:demo/app:pull,push</c>, as the fixture itself uses to push.</summary>
    public string CreateToken(IEnumerable<string> scopes)
    {
        var header = new JsonObject
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new JsonArray(Convert.ToBase64String(_leaf.RawData)),
        };
        var access = new JsonArray();
        foreach (var scope in scopes)
        {
            // type:name:actions, where the name itself may hold ':' (a port); actions are after the last ':'.
            var first = scope.IndexOf(':', StringComparison.Ordinal);
            var last = scope.LastIndexOf(':');
            if (first < 0 || last <= first)
            {
                continue;
            }

            var actions = new JsonArray();
            foreach (var action in scope[(last + 1)..].Split(','))
            {
                actions.Add(action);
            }

            access.Add(new JsonObject { ["type"] = scope[..first], ["name"] = scope[(first + 1)..last], ["actions"] = actions });
        }

        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = Username,
            ["aud"] = Service,
            ["exp"] = seconds + 300,
            ["nbf"] = seconds - 30,
            ["iat"] = seconds - 30,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _leafKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    public void Dispose()
    {
        _server.Dispose();
        _leafKey.Dispose();
        _leaf.Dispose();
        _root.Dispose();
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));
        if (request.Headers["Authorization"] != expected)
        {
            context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"token\"");
            await LoopbackHttpServer.WriteAsync(context.Response, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}"u8.ToArray());
            return;
        }

        if (request.QueryString["service"] != Service)
        {
            await LoopbackHttpServer.WriteAsync(context.Response, 400, "text/plain", "unknown service"u8.ToArray());
            return;
        }

        Interlocked.Increment(ref _tokensIssued);
        var token = CreateToken(request.QueryString.GetValues("scope") ?? []);
        var body = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["token"] = token, ["expires_in"] = 300 });
        await LoopbackHttpServer.WriteAsync(context.Response, 200, "application/json", body);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
