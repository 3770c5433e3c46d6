using System.Net;
using System.Net.Http.Headers;
using Gantry.Core.Versions;

namespace Gantry.Registries.Tests;

public sealed class ProtocolParsingTests
{
    [Fact]
    public void Bearer_challenge_keeps_commas_inside_the_quoted_scope()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue(
            "Bearer", "realm=\"https://auth.example.com/token?x=1\",service=\"registry.example.com\",scope=\"repository:team/app:pull,push\""));

        Assert.True(BearerChallenge.TryFind(response, out var challenge));
        Assert.Equal("registry.example.com", challenge.Service);
        Assert.Equal("repository:team/app:pull,push", challenge.Scope);
        Assert.Equal(
            "https://auth.example.com/token?x=1&service=registry.example.com&scope=repository%3Ateam%2Fapp%3Apull%2Cpush",
            challenge.TokenUri().AbsoluteUri);
    }

    [Fact]
    public void Challenge_without_an_absolute_realm_is_ignored()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "realm=\"/token\",service=\"x\""));

        Assert.False(BearerChallenge.TryFind(response, out _));
    }

    [Theory]
    [InlineData("</v2/team/app/tags/list?n=2&last=b>; rel=\"next\"", "http://r.local:5000/v2/team/app/tags/list?n=2&last=b")]
    [InlineData("<https://other.example.com/v2/a/tags/list?last=c>;rel=next", "https://other.example.com/v2/a/tags/list?last=c")]
    [InlineData("</x>; rel=\"prev\", </v2/a/tags/list?last=d>; rel=\"next\"", "http://r.local:5000/v2/a/tags/list?last=d")]
    public void Link_header_next_resolves_against_the_request(string link, string expected)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("Link", link);

        var next = OciTagSource.NextPage(response, new Uri("http://r.local:5000/v2/team/app/tags/list?n=2"));

        Assert.Equal(expected, next?.AbsoluteUri);
    }

    [Theory]
    [InlineData("oci://ghcr.io/qdrant/charts/qdrant", null, "https://ghcr.io/", "qdrant/charts/qdrant")]
    [InlineData("oci://registry.local:5000/charts", "runner", "http://registry.local:5000/", "charts/runner")]
    [InlineData("https://registry.example.com", "team/app", "https://registry.example.com/", "team/app")]
    [InlineData("http://127.0.0.1:5000/", "team/app", "http://127.0.0.1:5000/", "team/app")]
    [InlineData("registry.example.com:8443", "team/app", "https://registry.example.com:8443/", "team/app")]
    [InlineData("docker.io", "nginx", "https://registry-1.docker.io/", "library/nginx")]
    [InlineData("oci://docker.io/bitnamicharts/redis", null, "https://registry-1.docker.io/", "bitnamicharts/redis")]
    public void Oci_references_name_a_registry_and_repository(string url, string? repository, string registry, string expectedRepository)
    {
        var options = new RegistriesOptions();
        options.PlainHttpHosts.Add("registry.local:5000");

        var address = OciRepositoryAddress.From(TagSourceReference.Oci(url, repository), options);

        Assert.Equal(registry, address.Registry.AbsoluteUri);
        Assert.Equal(expectedRepository, address.Repository);
    }
}
