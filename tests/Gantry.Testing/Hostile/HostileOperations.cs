using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;

namespace Gantry.Testing.Hostile;

/// <summary>One operation of the OpenAPI document, with what a generator needs to aim at it.</summary>
public sealed record ApiOperation(string Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> QueryParameters, bool HasBody, IReadOnlyList<string> BodyProperties)
{
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>
/// Reads the operations from Gantry's OpenAPI document and generates hostile requests for them: every operation,
/// every caller, hostile path and query values, bodies and content types, odd headers. Names of real resources
/// (the own and the foreign tenant's) are mixed in, so requests also reach things that exist.
/// </summary>
public static partial class HostileOperations
{
    private static readonly string[] Methods = ["get", "put", "post", "patch", "delete"];

    public static IReadOnlyList<ApiOperation> Read(JsonElement document)
    {
        var schemas = document.TryGetProperty("components", out var c) && c.TryGetProperty("schemas", out var s) ? s : default;
        return [.. from path in document.GetProperty("paths").EnumerateObject()
                from method in path.Value.EnumerateObject()
                where Methods.Contains(method.Name)
                let parameters = method.Value.TryGetProperty("parameters", out var p) ? p.EnumerateArray().ToList() : []
                select new ApiOperation(
                    method.Name.ToUpperInvariant(),
                    path.Name,
                    [.. parameters.Where(x => x.GetProperty("in").GetString() == "path").Select(x => x.GetProperty("name").GetString()!)],
                    [.. parameters.Where(x => x.GetProperty("in").GetString() == "query").Select(x => x.GetProperty("name").GetString()!)],
                    method.Value.TryGetProperty("requestBody", out _),
                    BodyProperties(method.Value, schemas))];
    }

    /// <summary>Requests against <paramref name="operations"/>; <paramref name="realNames"/> go into paths and bodies beside the hostile values.</summary>
    public static Gen<HostileRequest> Requests(IReadOnlyList<ApiOperation> operations, IReadOnlyList<string> realNames)
    {
        var caller = Gen.Frequency((3, Gen.Const(Caller.Owner)), (3, Gen.Const(Caller.Foreign)), (1, Gen.Const(Caller.Anonymous)), (1, Gen.Const(Caller.Forged)));
        var segment = HostileValues.Segment(realNames);
        var query = Gen.Select(HostileValues.Text.Select(Uri.EscapeDataString), Gen.Bool).Array[0, 3];
        var header = Gen.OneOf(HostileValues.Headers).Array[0, 2];
        return Gen.OneOf([.. operations]).SelectMany(operation =>
            Gen.Select(caller, segment.Array[operation.PathParameters.Count], query, header, Body(operation, realNames))
                .Select((who, segments, queries, headers, body) => new HostileRequest(
                    operation.Method,
                    operation.ToString(),
                    Url(operation, segments, queries),
                    who,
                    body.Body,
                    body.ContentType,
                    headers,
                    body.Kind)));
    }

    private static Gen<(byte[]? Body, string? ContentType, string Kind)> Body(ApiOperation operation, IReadOnlyList<string> realNames)
    {
        var contentType = Gen.OneOf(HostileValues.ContentTypes);
        var body = HostileValues.Body(operation.BodyProperties, realNames);
        return operation.HasBody || operation.Method is "PUT" or "POST" or "PATCH"
            ? Gen.Frequency(
                (12, Gen.Select(body, contentType, (b, t) => ((byte[]?)b.Body, t, b.Kind))),
                (1, Gen.Const(((byte[]?)null, (string?)null, "no body"))))
            : Gen.Frequency(
                (6, Gen.Const(((byte[]?)null, (string?)null, "no body"))),
                (1, Gen.Select(body, contentType, (b, t) => ((byte[]?)b.Body, t, "body on " + operation.Method))));
    }

    private static string Url(ApiOperation operation, string[] segments, (string Value, bool Named)[] queries)
    {
        var index = 0;
        var path = PathParameter().Replace(operation.Path, _ => segments[index++]);
        if (queries.Length == 0)
        {
            return path;
        }

        var names = operation.QueryParameters.Count > 0 ? operation.QueryParameters : ["q"];
        // ?wait= holds an answer open by design: it gets hostile values only, never a duration.
        var pairs = queries.Select((q, i) => $"{Uri.EscapeDataString(q.Named ? names[i % names.Count] : "x" + i)}={(names[i % names.Count] == "wait" ? "forever" : q.Value)}");
        return path + "?" + string.Join("&", pairs);
    }

    private static List<string> BodyProperties(JsonElement operation, JsonElement schemas)
    {
        if (!operation.TryGetProperty("requestBody", out var body) || !body.TryGetProperty("content", out var content))
        {
            return [];
        }

        var properties = new List<string>();
        foreach (var media in content.EnumerateObject())
        {
            if (media.Value.TryGetProperty("schema", out var schema))
            {
                Collect(schema, schemas, properties, 0);
            }
        }

        return [.. properties.Distinct(StringComparer.Ordinal)];
    }

    private static void Collect(JsonElement schema, JsonElement schemas, List<string> properties, int depth)
    {
        if (depth > 3 || schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference) && schemas.ValueKind == JsonValueKind.Object
            && schemas.TryGetProperty(reference.GetString()!.Split('/')[^1], out var target))
        {
            Collect(target, schemas, properties, depth + 1);
        }

        if (schema.TryGetProperty("properties", out var own))
        {
            properties.AddRange(own.EnumerateObject().Select(p => p.Name));
        }
    }

    [GeneratedRegex("{[^}]+}")]
    private static partial Regex PathParameter();
}
