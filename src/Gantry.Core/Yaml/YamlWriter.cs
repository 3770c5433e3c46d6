using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Gantry.Core.Yaml;

/// <summary>
/// Writes manifests as YAML through YamlDotNet, never by pasting strings: every value a tenant supplies is a
/// scalar the emitter quotes as needed (YAML 1.1 rules too, since Kubernetes tooling reads <c>yes</c>/<c>on</c> as
/// booleans), so it can only ever be data, never structure. Key order is kept as built, for readable diffs.
/// </summary>
public static class YamlWriter
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)
        .WithEventEmitter(next => new QuoteAmbiguousStrings(next))
        .DisableAliases()
        .WithIndentedSequences()
        .Build();

    public static string Write(JsonNode? document) => Serializer.Serialize(ToObject(document));

    /// <summary>Several documents in one file, separated by <c>---</c>.</summary>
    public static string WriteAll(IEnumerable<JsonNode?> documents)
    {
        var text = new StringBuilder();
        foreach (var document in documents)
        {
            if (text.Length > 0)
            {
                text.Append("---\n");
            }

            text.Append(Write(document));
        }

        return text.ToString();
    }

    public static byte[] WriteUtf8(JsonNode? document) => Encoding.UTF8.GetBytes(Write(document));

    private static object? ToObject(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.Aggregate(new OrderedDictionary<string, object?>(StringComparer.Ordinal), (map, pair) =>
        {
            map.Add(pair.Key, ToObject(pair.Value));
            return map;
        }),
        JsonArray array => array.Select(ToObject).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => Number(value.ToJsonString()),
            _ => value.ToJsonString(),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    // Whatever CLR type backs a JSON number (int, long, double, a JsonElement), its JSON text is the truth.
    private static object Number(string json) =>
        long.TryParse(json, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) ? integer
        : decimal.TryParse(json, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number
        : double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>
    /// YAML readers disagree about plain scalars such as <c>1e3</c>, <c>0777</c>, <c>1_000</c> or <c>off</c> (YAML 1.1
    /// in sigs.k8s.io/yaml and Helm, YAML 1.2 in kustomize's kyaml). Any string that some reader might not take as a
    /// string is double-quoted, on top of YamlDotNet's own syntax-driven quoting.
    /// </summary>
    private sealed class QuoteAmbiguousStrings(IEventEmitter next) : ChainedEventEmitter(next)
    {
        private static readonly HashSet<string> Words = new(StringComparer.OrdinalIgnoreCase)
        {
            "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", ".inf", "-.inf", "+.inf", ".nan",
        };

        public override void Emit(ScalarEventInfo eventInfo, YamlDotNet.Core.IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && IsAmbiguous(text))
            {
                eventInfo.Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted;
            }

            base.Emit(eventInfo, emitter);
        }

        private static bool IsAmbiguous(string text) =>
            text.Length == 0 || Words.Contains(text) || text[0] is (>= '0' and <= '9') or '+' or '-' or '.';
    }
}
