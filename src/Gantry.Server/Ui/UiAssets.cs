using System.Security.Cryptography;

namespace Gantry.Server.Ui;

/// <summary>
/// The UI's stylesheet and script, compiled into the assembly (nothing is fetched from elsewhere, nothing to copy
/// beside the binary) and served at a URL that carries their hash, so browsers may keep them for a year.
/// </summary>
public static class UiAssets
{
    private static readonly Dictionary<string, (byte[] Bytes, string ContentType, string Hash)> Files = Load(
        ("gantry.css", "text/css; charset=utf-8"), ("gantry.js", "text/javascript; charset=utf-8"));

    public static string Css { get; } = UrlOf("gantry.css");

    public static string Js { get; } = UrlOf("gantry.js");

    public static IEndpointRouteBuilder MapUiAssets(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/ui/{file}", (string file, HttpContext context) =>
        {
            if (!Files.TryGetValue(file, out var asset))
            {
                return Results.NotFound();
            }

            context.Response.Headers.CacheControl = context.Request.Query["v"] == asset.Hash ? "public, max-age=31536000, immutable" : "no-cache";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Bytes(asset.Bytes, asset.ContentType);
        }).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static string UrlOf(string file) => $"/ui/{file}?v={Files[file].Hash}";

    private static Dictionary<string, (byte[], string, string)> Load(params (string Name, string ContentType)[] files)
    {
        var assembly = typeof(UiAssets).Assembly;
        var loaded = new Dictionary<string, (byte[], string, string)>(StringComparer.Ordinal);
        foreach (var (name, contentType) in files)
        {
            using var stream = assembly.GetManifestResourceStream($"Gantry.Server.Ui.Assets.{name}")
                ?? throw new InvalidOperationException($"The UI asset {name} is not embedded in {assembly.GetName().Name}.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            loaded[name] = (bytes, contentType, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
        }

        return loaded;
    }
}
