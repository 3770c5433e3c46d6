using Gantry.Core.Identity;
using Gantry.Server.Registry;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Tests.Registry;

/// <summary>What a registry token grants: the token spec's "leave out what is not allowed", by principal and repository.</summary>
public sealed class RegistryAccessPolicyTests
{
    private static readonly Principal Alice = new() { Id = "u1", Name = "alice", Kind = PrincipalKind.User };

    private static RegistryAccessPolicy Policy(bool pullOutsideLocal = true) =>
        new(Options.Create(new RegistryOptions { Url = "https://registry.example.com/", TokenServer = { PullOutsideLocal = pullOutsideLocal } }));

    private static string Granted(Principal principal, string scopes, bool pullOutsideLocal = true) =>
        string.Join(' ', Policy(pullOutsideLocal).Grant(principal, RegistryScope.ParseAll([scopes])));

    [Fact]
    public void A_user_may_push_and_pull_in_their_own_local_namespace_only() =>
        Assert.Equal("repository:alice-local/app:push,pull", Granted(Alice, "repository:alice-local/app:push,pull,delete"));

    [Fact]
    public void Another_users_local_namespace_grants_nothing() =>
        Assert.Equal(string.Empty, Granted(Alice, "repository:bob-local/app:push,pull repository:alice-local:push"));

    [Fact]
    public void Outside_the_local_namespaces_only_pull_and_only_when_allowed()
    {
        Assert.Equal("repository:team/app:pull", Granted(Alice, "repository:team/app:pull,push"));
        Assert.Equal(string.Empty, Granted(Alice, "repository:team/app:pull", pullOutsideLocal: false));
    }

    [Fact]
    public void Catalog_and_api_keys_get_no_push()
    {
        var key = Alice with { Kind = PrincipalKind.ApiKey };
        Assert.Equal(string.Empty, Granted(Alice, "registry:catalog:*"));
        Assert.Equal(string.Empty, Granted(key, "repository:alice-local/app:push"));
        Assert.Null(Policy().OwnNamespace(Alice with { Name = "Alice/../x" }));
    }

    [Fact]
    public void A_scope_name_may_hold_a_port()
    {
        var scope = Assert.Single(RegistryScope.ParseAll(["repository:localhost:5000/alice-local/app:pull"]));
        Assert.Equal("localhost:5000/alice-local/app", scope.Name);
        Assert.Equal(["pull"], scope.Actions);
    }

    [Fact]
    public void The_validator_names_every_bad_key()
    {
        var result = new RegistryOptionsValidator().Validate(null, new RegistryOptions
        {
            Url = "ftp://x", LocalSuffix = "local", SweepInterval = TimeSpan.FromDays(60), TokenServer = { CertificateFile = "/nonexistent.pem" },
        });

        Assert.True(result.Failed);
        foreach (var key in new[] { "Registry:Url", "Registry:LocalSuffix", "Registry:SweepInterval", "Registry:TokenServer:CertificateFile", "Registry:TokenServer:KeyFile" })
        {
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
        }

        Assert.True(new RegistryOptionsValidator().Validate(null, new RegistryOptions()).Succeeded);
    }
}
