using System.Net;
using System.Text.Json;
using Gantry.Core.Versions;
using Gantry.Registries.Tests.Infrastructure;

namespace Gantry.Registries.Tests;

/// <summary>
/// Auth flows the Debian registry cannot show without extra tools: a Basic challenge, and one bearer token reused for
/// every page. A loopback endpoint that enforces them, paging like distribution-spec "Listing Tags"; the bearer token
/// comes from the real loopback token service.
/// </summary>
public sealed class OciAuthFlowTests : IDisposable
{
    private static readonly string[] Tags = ["v1.0.0", "v1.1.0", "v1.2.0", "v2.0.0", "v2.1.0"];
    private readonly RegistryTokenIssuer _tokens = new();

    [Fact]
    public async Task Basic_challenge_is_answered_with_the_configured_credentials()
    {
        var expected = "Basic " + Convert.ToBase64String("robot:hunter2"u8.ToArray());
        using var registry = PagingRegistry(context => context.Request.Headers["Authorization"] == expected, "Basic realm=\"registry\"");
        var options = new RegistriesOptions { PageSize = 2 };
        options.Credentials.Add(new RegistryCredential { Host = registry.BaseUri.Authority, Username = "robot", Password = "hunter2" });

        var tags = await TestSources.Oci(options).ListTagsAsync(TagSourceReference.Oci(registry.BaseUri.ToString(), "team/app"));

        Assert.Equal(Tags, tags);
    }

    [Fact]
    public async Task Basic_challenge_without_credentials_says_none_are_configured()
    {
        using var registry = PagingRegistry(_ => false, "Basic realm=\"registry\"");

        var error = await Assert.ThrowsAsync<TagSourceException>(
            () => TestSources.Oci().ListTagsAsync(TagSourceReference.Oci(registry.BaseUri.ToString(), "team/app")));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("no credentials are configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_bearer_token_serves_every_page()
    {
        using var registry = PagingRegistry(
            context => context.Request.Headers["Authorization"]?.StartsWith("Bearer ey", StringComparison.Ordinal) == true,
            $"Bearer realm=\"{_tokens.Realm}\",service=\"{RegistryTokenIssuer.Service}\",scope=\"repository:team/app:pull\"");
        var options = new RegistriesOptions { PageSize = 2 };
        options.Credentials.Add(new RegistryCredential
        {
            Host = registry.BaseUri.Authority,
            Username = RegistryTokenIssuer.Username,
            Password = RegistryTokenIssuer.Password,
        });

        var tags = await TestSources.Oci(options).ListTagsAsync(TagSourceReference.Oci(registry.BaseUri.ToString(), "team/app"));

        Assert.Equal(Tags, tags);
        Assert.Equal(1, _tokens.TokensIssued);
        Assert.Equal(4, registry.Requests); // one challenged request, then three pages of two
    }

    public void Dispose() => _tokens.Dispose();

    private static LoopbackHttpServer PagingRegistry(Func<HttpListenerContext, bool> authorized, string challenge) =>
        new(async context =>
        {
            if (!authorized(context))
            {
                context.Response.AddHeader("WWW-Authenticate", challenge);
                await LoopbackHttpServer.WriteAsync(context.Response, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}"u8.ToArray());
                return;
            }

            var n = int.Parse(context.Request.QueryString["n"] ?? "100", System.Globalization.CultureInfo.InvariantCulture);
            var last = context.Request.QueryString["last"];
            var rest = Tags.Where(t => last is null || string.CompareOrdinal(t, last) > 0).ToList();
            var page = rest.Take(n).ToList();
            if (rest.Count > n)
            {
                context.Response.AddHeader("Link", $"</v2/team/app/tags/list?n={n}&last={page[^1]}>; rel=\"next\"");
            }

            var body = JsonSerializer.SerializeToUtf8Bytes(new { name = "team/app", tags = page });
            await LoopbackHttpServer.WriteAsync(context.Response, 200, "application/json", body);
        });
}
