using Gantry.Core.Versions;
using Gantry.Registries.Tests.Infrastructure;

namespace Gantry.Registries.Tests;

/// <summary>
/// A real docker-registry with <c>auth: token</c>: it answers 401 with a Bearer challenge, verifies the JWT that the
/// loopback token service signs (certificate chain in x5c, CA in rootcertbundle) and only then lists tags.
/// </summary>
public sealed class OciTokenAuthTests(TokenRegistryFixture fixture) : IClassFixture<TokenRegistryFixture>
{
    private TagSourceReference AuthService => TagSourceReference.Oci(fixture.Registry.BaseUri.ToString(), TokenRegistryFixture.Repository);

    private RegistriesOptions WithCredential(string password)
    {
        var options = new RegistriesOptions();
        options.Credentials.Add(new RegistryCredential { Host = fixture.Registry.Authority, Username = RegistryTokenIssuer.Username, Password = password });
        return options;
    }

    [Fact]
    public async Task Bearer_challenge_is_answered_with_a_token_from_the_realm()
    {
        var before = fixture.Tokens.TokensIssued;

        var tags = await TestSources.Oci(WithCredential(RegistryTokenIssuer.Password)).ListTagsAsync(AuthService);

        Assert.Equal(TokenRegistryFixture.Tags.Order(StringComparer.Ordinal), tags.Order(StringComparer.Ordinal));
        Assert.Equal("v1.1.0", VersionResolver.Resolve("^1.0.0", tags).Tag);
        Assert.True(fixture.Tokens.TokensIssued > before);
    }

    [Fact]
    public async Task Without_credentials_the_refusal_names_the_registry_and_token_service()
    {
        var error = await Assert.ThrowsAsync<TagSourceException>(() => TestSources.Oci().ListTagsAsync(AuthService));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains(fixture.Registry.Authority, error.Message, StringComparison.Ordinal);
        Assert.Contains(TokenRegistryFixture.Repository, error.Message, StringComparison.Ordinal);
        Assert.Contains("token service", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_is_refused_without_leaking_it()
    {
        const string wrong = "not-the-Pa55word";

        var error = await Assert.ThrowsAsync<TagSourceException>(() => TestSources.Oci(WithCredential(wrong)).ListTagsAsync(AuthService));

        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(RegistryTokenIssuer.Username + ":", error.ToString(), StringComparison.Ordinal);
    }
}
