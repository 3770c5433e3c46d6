using Gantry.Server.Hosting;
using Gantry.Server.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Gantry.Server.Ui;

/// <summary>The web UI: Razor components rendered on the server, its sign-in pages, assets and antiforgery.</summary>
public static class UiHostingExtensions
{
    public static IServiceCollection AddGantryUi(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "gantry_antiforgery";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        // The session and antiforgery cookies are sealed with Data Protection keys kept in the data folder, so a
        // restart does not sign everybody out. Replicas need one shared folder (or another key ring) for this.
        services.AddDataProtection().SetApplicationName("Gantry");
        services.AddOptions<KeyManagementOptions>().Configure<GantryPaths, ILoggerFactory>((keys, paths, logging) =>
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(paths.DataDir, "ui-keys")), logging));
        return services;
    }

    public static WebApplication MapGantryUi(this WebApplication app)
    {
        app.MapUiAssets();
        app.MapPost("/logout", async Task<Results<RedirectHttpResult, ProblemHttpResult>> (HttpContext context, BrowserSession session) =>
            {
                // The antiforgery middleware only records its verdict; an endpoint that binds no form must read it,
                // or a page on another site could sign people out.
                if (context.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: true })
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is malformed.",
                        detail: "The sign-out form's antiforgery token is missing or invalid: sign out from Gantry's own page.");
                }

                await session.SignOutAsync(context, context.RequestAborted);
                return TypedResults.Redirect(BrowserSession.LoginPath);
            })
            .RequireAuthorization(policy => policy.AddAuthenticationSchemes(BrowserSession.Scheme).RequireAuthenticatedUser())
            .WithMetadata(new RequireAntiforgeryTokenAttribute())
            .ExcludeFromDescription();
        app.MapOidcBrowserSignIn();
        app.MapRazorComponents<App>();
        return app;
    }
}
