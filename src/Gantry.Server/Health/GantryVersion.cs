using System.Reflection;

namespace Gantry.Server.Health;

/// <summary>The answer of <c>GET /api/v1/version</c>.</summary>
public sealed record VersionResponse(string Version, string Api);

/// <summary>This build's informational version (<c>1.0.0+&lt;commit&gt;</c>), as /hc and /api/v1/version show it.</summary>
public static class GantryVersion
{
    public static string Informational { get; } =
        typeof(GantryVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
