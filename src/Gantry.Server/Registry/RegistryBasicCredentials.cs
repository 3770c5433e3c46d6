using System.Text;

namespace Gantry.Server.Registry;

/// <summary>
/// Registry clients (docker, containerd, oras) send the credentials of <c>docker login</c> to the token realm as HTTP
/// Basic. On the token path only, Basic <c>user:secret</c> becomes <c>Bearer secret</c> before authentication, so the
/// secret (a Gantry access token or API key) is checked as on every other endpoint and the principal is its owner.
/// </summary>
internal sealed class RegistryBasicCredentials(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (context.Request.Path.Equals(RegistryEndpoints.TokenPath, StringComparison.OrdinalIgnoreCase)
            && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                context.Request.Headers.Authorization = colon >= 0 ? "Bearer " + pair[(colon + 1)..] : string.Empty;
            }
            catch (FormatException)
            {
                context.Request.Headers.Authorization = string.Empty;
            }
        }

        return next(context);
    }
}
