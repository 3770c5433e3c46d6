using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Gantry.Core.Validation;

/// <summary>
/// The rules every JSON document Gantry reads must meet before any library sees it: API request bodies, environment
/// claims from the bucket, the CLI's input files. Valid UTF-8 with no lone surrogate (raw or as a <c>\ud800</c>
/// escape), one value and nothing after it, at most <see cref="MaxDepth"/> levels of nesting, each key once per
/// object, whole numbers within 64 bits and other numbers finite doubles. A library that reads a checked document
/// therefore never meets a value it cannot represent (NJsonSchema casts whole numbers to <c>long</c>; the YAML writer
/// needs real strings).
/// </summary>
public static class JsonInput
{
    /// <summary>The deepest nesting accepted; System.Text.Json's own default, so the model binder agrees.</summary>
    public const int MaxDepth = 64;

    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];
    private static readonly SearchValues<byte> FractionOrExponent = SearchValues.Create("."u8.ToArray().Concat("eE"u8.ToArray()).ToArray());

    /// <summary>Throws <see cref="JsonInputException"/> naming the first rule <paramref name="utf8"/> breaks.</summary>
    public static void Check(ReadOnlySpan<byte> utf8) => Check(utf8, allowComments: false);

    /// <summary>
    /// Checks a file Gantry or its CLI reads (a claim, a settings file, a CLI input file) by the same rules; the
    /// message names <paramref name="name"/> and the line and byte of the fault. Settings files may hold comments and
    /// trailing commas, as the .NET configuration reader accepts them (<paramref name="allowComments"/>).
    /// </summary>
    public static void CheckFile(ReadOnlySpan<byte> utf8, string name, bool allowComments = false)
    {
        try
        {
            Check(utf8, allowComments);
        }
        catch (JsonInputException e)
        {
            var (line, position) = e.Line > 0 ? (e.Line, e.BytePosition) : LineOf(utf8, e.BytePosition);
            throw new JsonInputException($"{name}, line {line}, byte {position}: {e.Reason}", e.Field, line, position);
        }
    }

    private static void Check(ReadOnlySpan<byte> utf8, bool allowComments)
    {
        if (utf8.StartsWith(Utf8Bom))
        {
            utf8 = utf8[Utf8Bom.Length..];
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            MaxDepth = MaxDepth + 1,
            CommentHandling = allowComments ? JsonCommentHandling.Skip : JsonCommentHandling.Disallow,
            AllowTrailingCommas = allowComments,
        });
        var path = new JsonPathTracker();
        try
        {
            while (reader.Read())
            {
                Visit(ref reader, path);
            }
        }
        catch (JsonException e) when (e is not JsonInputException)
        {
            // The reader's own message names the token ("'N' is an invalid start of a value"); its position is 0-based.
            var line = (e.LineNumber ?? 0) + 1;
            var position = (e.BytePositionInLine ?? 0) + 1;
            throw new JsonInputException(
                $"The body is not valid JSON at line {line}, byte {position}: {FirstSentence(e.Message)} Send one JSON value, with nothing after it.",
                field: null, line, position)
            { Reason = $"not valid JSON: {FirstSentence(e.Message)}" };
        }
    }

    /// <summary>Checks a document held as text: a lone surrogate there would be silently replaced when encoded.</summary>
    public static void Check(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (FindLoneSurrogate(json) is var at and >= 0)
        {
            throw new JsonInputException($"The text holds a lone surrogate (U+{(int)json[at]:X4}) at character {at + 1}; it is not Unicode text.", null, 0, at + 1);
        }

        Check(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Checks <paramref name="json"/> and parses it; the one way Gantry turns untrusted JSON text into nodes.</summary>
    public static JsonNode? Parse(string json)
    {
        Check(json);
        return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth + 1 });
    }

    private static void Visit(ref Utf8JsonReader reader, JsonPathTracker path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                if (reader.CurrentDepth >= MaxDepth)
                {
                    throw At(ref reader, path.Current, $"nests deeper than {MaxDepth} levels, the most accepted; flatten the document.");
                }

                path.Enter(reader.TokenType == JsonTokenType.StartArray);
                return;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                path.Leave();
                return;
            case JsonTokenType.PropertyName:
                var name = ReadString(ref reader, path.Current);
                if (!path.Name(name))
                {
                    throw At(ref reader, path.Current, "is given twice; each key may appear once in an object.");
                }

                return;
            case JsonTokenType.String:
                ReadString(ref reader, path.Current);
                break;
            case JsonTokenType.Number:
                CheckNumber(ref reader, path.Current);
                break;
        }

        path.Value();
    }

    private static string ReadString(ref Utf8JsonReader reader, string field)
    {
        try
        {
            var text = reader.GetString()!;
            return FindLoneSurrogate(text) < 0 ? text : throw At(ref reader, field, "holds a lone surrogate; strings must be Unicode text.");
        }
        catch (InvalidOperationException)
        {
            // GetString refuses bytes that are not UTF-8 and \uXXXX escapes that do not pair up.
            var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
            throw At(ref reader, field, Utf8.IsValid(raw)
                ? "holds a lone surrogate (a \\ud800-\\udfff escape without its pair); strings must be Unicode text."
                : "is not valid UTF-8; send the body encoded as UTF-8.");
        }
    }

    /// <summary>The index of the first surrogate without its pair in <paramref name="text"/>, or -1.</summary>
    public static int FindLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static void CheckNumber(ref Utf8JsonReader reader, string field)
    {
        var literal = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
        var isWhole = literal.AsSpan().IndexOfAny(FractionOrExponent) < 0;
        if (isWhole && !reader.TryGetInt64(out _))
        {
            throw At(ref reader, field, string.Create(CultureInfo.InvariantCulture,
                $"is {Shorten(Encoding.ASCII.GetString(literal))}, out of range: whole numbers must be between {long.MinValue} and {long.MaxValue}."));
        }

        if (!isWhole && (!reader.TryGetDouble(out var value) || !double.IsFinite(value)))
        {
            throw At(ref reader, field, string.Create(CultureInfo.InvariantCulture,
                $"is {Shorten(Encoding.ASCII.GetString(literal))}, out of range: numbers must be finite and between {double.MinValue:R} and {double.MaxValue:R}."));
        }
    }

    private static string Shorten(string literal) => literal.Length <= 40 ? literal : literal[..37] + "...";

    private static JsonInputException At(ref Utf8JsonReader reader, string field, string what)
    {
        var name = field.Length == 0 ? "The body" : $"'{field}'";
        // The reader counts from zero and does not expose the line; the offset into the body locates the token.
        var offset = reader.TokenStartIndex + 1;
        return new JsonInputException($"{name} {what} (at byte {offset} of the body)", field.Length == 0 ? null : field, 0, offset)
        {
            Reason = field.Length == 0 ? $"the document {what}" : $"{name} {what}",
        };
    }

    // The 1-based line and byte in the line of a 1-based byte offset into the document (after any byte order mark).
    private static (long Line, long Position) LineOf(ReadOnlySpan<byte> utf8, long offset) =>
        TextPosition.Of(utf8.StartsWith(Utf8Bom) ? utf8[Utf8Bom.Length..] : utf8, offset - 1);

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        var text = (end < 0 ? message : message[..end]).Trim().TrimEnd('|').Trim();
        return text.EndsWith('.') ? text : text + ".";
    }
}

/// <summary>A JSON document broke one of <see cref="JsonInput"/>'s rules; <see cref="Exception.Message"/> says which and where.</summary>
public sealed class JsonInputException(string message, string? field, long line, long bytePosition) : JsonException(message)
{
    /// <summary>The dotted path of the value at fault (<c>values.replicaCount</c>, <c>services[2].version</c>), when one is.</summary>
    public string? Field { get; } = field;

    /// <summary>The 1-based line of a syntax error; 0 when <see cref="BytePosition"/> counts from the start of the document.</summary>
    public long Line { get; } = line;

    /// <summary>The 1-based byte of the fault, in <see cref="Line"/> or in the whole document.</summary>
    public long BytePosition { get; } = bytePosition;

    /// <summary>What is wrong, without where: the message of a file check puts the file, line and byte before it.</summary>
    public string Reason { get; init; } = message;
}
