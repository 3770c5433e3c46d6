using System.Text.Json.Serialization;

namespace Gantry.Server.Environments;

/// <summary>
/// Something wrong with an environment that is not the engine's to report, in its <c>GET</c> answer as
/// <c>warnings</c>: today, a service pointing at an image or artifact the <c>-local</c> retention sweep deleted.
/// </summary>
public sealed record EnvironmentWarning(
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("since")] DateTimeOffset Since)
{
    public const string LocalImageDeleted = "LocalImageDeleted";
}
