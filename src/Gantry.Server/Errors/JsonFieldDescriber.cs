using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Gantry.Server.Errors;

/// <summary>
/// Says in words what a field of a request body must hold, from the body's .NET type and the JSON path the
/// serializer reports (<c>$.replicas</c>): "a whole number between -2147483648 and 2147483647". The binder's own
/// message names CLR types and is not shown.
/// </summary>
internal static class JsonFieldDescriber
{
    public static string? Describe(Type? bodyType, string? jsonPath, JsonSerializerOptions options)
    {
        if (bodyType is null || string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return null;
        }

        var type = bodyType;
        foreach (var segment in Segments(jsonPath))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            var info = options.GetTypeInfo(type);
            if (segment.StartsWith('['))
            {
                type = info.ElementType;
            }
            else
            {
                type = info.Kind == JsonTypeInfoKind.Dictionary
                    ? info.ElementType
                    : info.Properties.FirstOrDefault(p => string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            }

            if (type is null)
            {
                return null;
            }
        }

        return What(Nullable.GetUnderlyingType(type) ?? type, options);
    }

    /// <summary><c>$.values.items[2]</c> as the dotted field name Gantry's validation errors use: <c>values.items[2]</c>.</summary>
    public static string? FieldName(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? null : jsonPath.TrimStart('$').TrimStart('.');

    private static IEnumerable<string> Segments(string jsonPath)
    {
        var rest = jsonPath.TrimStart('$');
        var i = 0;
        while (i < rest.Length)
        {
            if (rest[i] == '.')
            {
                var end = rest.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? rest.Length : end;
                yield return rest[(i + 1)..end];
                i = end;
            }
            else if (rest[i] == '[')
            {
                var end = rest.IndexOf(']', i);
                end = end < 0 ? rest.Length - 1 : end;
                var inner = rest[(i + 1)..end];
                // ['odd.name'] is a property; [3] an index.
                yield return inner.StartsWith('\'') ? inner.Trim('\'') : "[" + inner + "]";
                i = end + 1;
            }
            else
            {
                i++;
            }
        }
    }

    private static string What(Type type, JsonSerializerOptions options) => Type.GetTypeCode(type) switch
    {
        TypeCode.Byte => Range(byte.MinValue, byte.MaxValue),
        TypeCode.SByte => Range(sbyte.MinValue, sbyte.MaxValue),
        TypeCode.Int16 => Range(short.MinValue, short.MaxValue),
        TypeCode.UInt16 => Range(ushort.MinValue, ushort.MaxValue),
        TypeCode.Int32 => Range(int.MinValue, int.MaxValue),
        TypeCode.UInt32 => Range(uint.MinValue, uint.MaxValue),
        TypeCode.Int64 => Range(long.MinValue, long.MaxValue),
        TypeCode.UInt64 => Range(ulong.MinValue, ulong.MaxValue),
        TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
        TypeCode.Boolean => "true or false",
        TypeCode.String or TypeCode.Char => "a string",
        TypeCode.DateTime => "a date and time (RFC 3339, e.g. 2026-01-31T12:00:00Z)",
        _ when type == typeof(DateTimeOffset) => "a date and time (RFC 3339, e.g. 2026-01-31T12:00:00Z)",
        _ when type == typeof(System.Text.Json.Nodes.JsonObject) => "an object",
        _ when type == typeof(System.Text.Json.Nodes.JsonArray) => "a list",
        _ when typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(type) || type == typeof(JsonElement) => "a JSON value",
        _ when type.IsEnum => "one of: " + string.Join(", ", Enum.GetNames(type).Select(n => options.PropertyNamingPolicy?.ConvertName(n) ?? n)),
        _ => options.GetTypeInfo(type).Kind switch
        {
            JsonTypeInfoKind.Enumerable => "a list",
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "an object",
            _ => "a value of another shape",
        },
    };

    private static string Range<T>(T min, T max) where T : IFormattable =>
        string.Create(CultureInfo.InvariantCulture, $"a whole number between {min} and {max}");
}
