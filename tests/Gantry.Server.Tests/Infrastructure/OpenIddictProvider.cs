using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// A real OpenID Connect provider (OpenIddict server, from NuGet) on a free loopback port: discovery, JWKS and a
/// token endpoint for the client_credentials grant, issuing signed (not encrypted) JWT access tokens with a
/// <c>groups</c> claim for Gantry's audience. Degraded mode: clients are checked by the inline handler below,
/// not by a database.
/// </summary>
public sealed class OpenIddictProvider : IAsyncDisposable
{
    public const string Audience = "gantry-openiddict";
    public const string ClientSecret = "openiddict-client-secret";

    /// <summary>client id → the groups its tokens carry.</summary>
    public static IReadOnlyDictionary<string, string[]> Clients { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["ci-operators"] = ["tenant-ops", "unrelated"],
        ["platform-team"] = ["gantry-admins"],
        ["nobody"] = [],
    };

    private readonly WebApplication _app;

    private OpenIddictProvider(WebApplication app, string authority)
    {
        _app = app;
        Authority = authority;
    }

    public string Authority { get; }

    public static async Task<OpenIddictProvider> StartAsync()
    {
        var authority = $"http://127.0.0.1:{Gantry.Testing.Ports.Free()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(authority);
        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.SetIssuer(new Uri(authority + "/"));
            options.SetTokenEndpointUris("connect/token");
            options.AllowClientCredentialsFlow();
            options.EnableDegradedMode();
            options.AddEphemeralSigningKey().AddEphemeralEncryptionKey();
            options.DisableAccessTokenEncryption();
            options.UseAspNetCore().DisableTransportSecurityRequirement();

            options.AddEventHandler<ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId is null || !Clients.ContainsKey(context.ClientId) || context.ClientSecret != ClientSecret)
                {
                    context.Reject(OpenIddictConstants.Errors.InvalidClient, "Unknown client or wrong secret.");
                }

                return default;
            }));
            options.AddEventHandler<HandleTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                var identity = new ClaimsIdentity("openiddict", Claims.Name, Claims.Role);
                identity.SetClaim(Claims.Subject, context.ClientId);
                identity.SetClaim(Claims.PreferredUsername, context.ClientId);
                identity.SetClaims("groups", [.. Clients[context.ClientId!]]);
                identity.SetAudiences(Audience);
                identity.SetDestinations(_ => [Destinations.AccessToken]);
                context.SignIn(new ClaimsPrincipal(identity));
                return default;
            }));
        });

        var app = builder.Build();
        await app.StartAsync();
        return new OpenIddictProvider(app, authority);
    }

    public async Task<string> ClientCredentialsAsync(string clientId, string secret = ClientSecret)
    {
        using var http = new HttpClient();
        var response = await http.PostAsync($"{Authority}/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        var body = await response.JsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"OpenIddict refused the token request: {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
