using System.ComponentModel;
using System.Diagnostics;
using Gantry.Client;

namespace Gantry.Cli.Commands;

// gantry login --browser: the authorization code flow with PKCE on a loopback redirect (RFC 8252), in the browser of
// this machine. The URL is always printed, and opened unless --skip-open-browser (or when no browser opens).
internal static partial class LoginCommand
{
    /// <summary>How long the browser sign-in may take before the command gives up.</summary>
    private static readonly TimeSpan BrowserTimeout = TimeSpan.FromMinutes(5);

    private static async Task<TokenResponse> BrowserTokensAsync(
        CliConsole console, OidcProvider provider, OidcBrowserFlow flow, bool openBrowser, CancellationToken cancellationToken)
    {
        await flow.DiscoverAsync(cancellationToken);
        using var redirect = new LoopbackRedirect();
        var url = flow.AuthorizationUri(redirect.Uri);
        console.Error.WriteLine($"To sign in with {provider.Name}, open this address in a browser on this machine:");
        console.Error.WriteLine($"  {url.AbsoluteUri}");
        if (openBrowser)
        {
            Open(url);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(BrowserTimeout);
        string code;
        try
        {
            code = await redirect.WaitForCodeAsync(flow.State, limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"the sign-in with {provider.Name} did not complete within {BrowserTimeout.TotalMinutes:F0} minutes", ExitCodes.TimedOut);
        }

        try
        {
            return await flow.RedeemAsync(code, redirect.Uri, cancellationToken);
        }
        catch (GantryApiException ex) when (ex.Type is "invalid_grant")
        {
            throw new CliException($"{provider.Name} refused the sign-in code ({ex.Title}); run gantry login again", ExitCodes.Unauthorized);
        }
    }

    /// <summary>The system's way to open a web address; when there is none, the printed address is the way.</summary>
    private static void Open(Uri url)
    {
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo(url.AbsoluteUri) { UseShellExecute = true }
            : new ProcessStartInfo(OperatingSystem.IsMacOS() ? "open" : "xdg-open", [url.AbsoluteUri]) { RedirectStandardOutput = true, RedirectStandardError = true };
        try
        {
            Process.Start(start)?.Dispose();
        }
        catch (Win32Exception)
        {
            // No opener: the address is printed above.
        }
    }
}
