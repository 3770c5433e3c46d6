using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gantry.Core.Validation;

namespace Gantry.Core.Environments;

/// <summary>
/// Reads and writes environment claims. Unknown fields are refused (a typo such as <c>expiry_date</c> must not be
/// silently dropped), and the output is indented with two spaces, fields in the design's order, so a stored claim
/// is readable in the bucket and diffs well in Git.
/// </summary>
public static class EnvironmentJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        IndentSize = 2,
        // Claims hold only names, versions and image references: '+' and '<' in constraints stay readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Parses a claim, held first to <see cref="JsonInput"/>'s rules (a claim may come from the bucket, written by
    /// anyone with access to it); malformed JSON is a validation failure naming the field where it went wrong.
    /// </summary>
    public static EnvironmentClaim Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            JsonInput.Check(json);
            return JsonSerializer.Deserialize<EnvironmentClaim>(json, Options)
                ?? throw ValidationFailedException.For("(document)", "a claim is a JSON object, not null");
        }
        catch (JsonInputException e)
        {
            throw ValidationFailedException.For(e.Field ?? "(document)", e.Message);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "(document)" : e.Path.TrimStart('$', '.');
            throw ValidationFailedException.For(field, FirstSentence(e.Message));
        }
    }

    public static byte[] Serialize(EnvironmentClaim claim) => JsonSerializer.SerializeToUtf8Bytes(claim, Options);

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}

/// <summary>
/// Timestamps as the design writes them: ISO 8601 in UTC with a <c>Z</c> (<c>2024-01-15T10:30:00Z</c>), fractions
/// only when there are any. Any offset is accepted on input and normalised to UTC.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            || text!.Length < 10 || text[4] != '-')
        {
            throw new JsonException("must be an ISO 8601 date and time, e.g. 2024-01-15T10:30:00Z.");
        }

        return value.ToUniversalTime();
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var utc = value.ToUniversalTime();
        var format = utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";
        writer.WriteStringValue(utc.ToString(format, CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// The <c>services</c> object: each member is a constraint string (short form) or an object (long form). Member
/// order is kept; a name given twice is refused rather than letting the last one win.
/// </summary>
public sealed class EnvironmentServicesConverter : JsonConverter<IReadOnlyList<EnvironmentService>>
{
    private const string VersionField = "version";
    private const string DockerImageField = "docker_image";
    private const string AnsibleArtifactField = "ansible_artifact";
    private const string NodePoolField = "node_pool";
    private const string ResolvedVersionField = "resolved_version";
    private const string ImplicitField = "implicit";

    public override IReadOnlyList<EnvironmentService> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("services must be an object of service name to version or to {version, docker_image, ansible_artifact, node_pool}.");
        }

        var services = new List<EnvironmentService>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            if (!names.Add(name))
            {
                throw new JsonException($"service '{name}' is given twice.");
            }

            reader.Read();
            services.Add(reader.TokenType switch
            {
                JsonTokenType.String => new EnvironmentService { Name = name, Version = reader.GetString()! },
                JsonTokenType.StartObject => ReadLongForm(ref reader, name),
                _ => throw new JsonException($"service '{name}' must be a version string or an object with a version."),
            });
        }

        return services;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<EnvironmentService> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        foreach (var service in value)
        {
            if (service.IsShortForm)
            {
                writer.WriteString(service.Name, service.Version);
                continue;
            }

            writer.WriteStartObject(service.Name);
            writer.WriteString(VersionField, service.Version);
            WriteIfSet(writer, DockerImageField, service.DockerImage);
            WriteIfSet(writer, AnsibleArtifactField, service.AnsibleArtifact);
            WriteIfSet(writer, NodePoolField, service.NodePool);
            WriteIfSet(writer, ResolvedVersionField, service.ResolvedVersion);
            if (service.Implicit)
            {
                writer.WriteBoolean(ImplicitField, true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static EnvironmentService ReadLongForm(ref Utf8JsonReader reader, string name)
    {
        string? version = null, image = null, artifact = null, nodePool = null, resolved = null;
        var isImplicit = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var field = reader.GetString();
            reader.Read();
            if (field == ImplicitField)
            {
                isImplicit = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw new JsonException($"services.{name}.implicit must be true or false."),
                };
                continue;
            }

            var text = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Null => null,
                _ => throw new JsonException($"services.{name}.{field} must be a string."),
            };
            switch (field)
            {
                case VersionField: version = text; break;
                case DockerImageField: image = text; break;
                case AnsibleArtifactField: artifact = text; break;
                case NodePoolField: nodePool = text; break;
                case ResolvedVersionField: resolved = text; break;
                default: throw new JsonException($"services.{name}: unknown field '{field}' (version, docker_image, ansible_artifact, node_pool).");
            }
        }

        return new EnvironmentService
        {
            Name = name,
            Version = version ?? throw new JsonException($"services.{name}.version is required."),
            DockerImage = image,
            AnsibleArtifact = artifact,
            NodePool = nodePool,
            ResolvedVersion = resolved,
            Implicit = isImplicit,
            LongForm = true,
        };
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string field, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(field, value);
        }
    }
}
