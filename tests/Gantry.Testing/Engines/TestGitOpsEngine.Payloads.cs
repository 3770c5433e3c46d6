using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gantry.Testing.Engines;

// The wire formats, public so that other tests can forge what an engine sends or what Gantry must send an engine.
public sealed partial class TestGitOpsEngine
{
    /// <summary>The receiver's name and namespace Gantry's Flux setup creates.</summary>
    public const string FluxReceiverName = "gantry";

    public const string FluxReceiverNamespace = "flux-system";

    /// <summary>argocd-server's Git webhook path (server/server.go registers util/webhook Handler there).</summary>
    public const string ArgoCdWebhookPath = "/api/webhook";

    /// <summary>
    /// The path of a Flux Receiver: <c>/hook/</c> + lowercase hex SHA-256 of token + name + namespace
    /// (notification-controller api/v1/receiver_types.go GetWebhookPath).
    /// </summary>
    public static string FluxReceiverPath(string token, string name = FluxReceiverName, string ns = FluxReceiverNamespace)
    {
        ArgumentNullException.ThrowIfNull(token);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(token + name + ns));
        return "/hook/" + Convert.ToHexStringLower(digest);
    }

    /// <summary>
    /// <c>sha256=&lt;lowercase hex HMAC-SHA256(key = secret UTF-8, body)&gt;</c>: Flux's generic-hmac <c>X-Signature</c>
    /// (notification-controller internal/notifier/forwarder.go) and GitHub's <c>X-Hub-Signature-256</c>.
    /// </summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    /// <summary>
    /// Checks a Flux Receiver's <c>X-Signature</c> as notification-controller does (receiver_handlers.go validate →
    /// go-github ValidateSignature): <c>sha1=</c>, <c>sha256=</c> or <c>sha512=</c>, hex in either case, compared in
    /// constant time.
    /// </summary>
    public static bool IsValidFluxSignature(string secret, string? header, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var eq = header?.IndexOf('=', StringComparison.Ordinal) ?? -1;
        if (header is null || eq <= 0)
        {
            return false;
        }

        var key = Encoding.UTF8.GetBytes(secret);
        byte[] expected = header[..eq] switch
        {
#pragma warning disable CA5350 // Flux accepts SHA-1 HMAC signatures; the engine must accept what Flux accepts.
            "sha1" => HMACSHA1.HashData(key, body),
#pragma warning restore CA5350
            "sha256" => HMACSHA256.HashData(key, body),
            "sha512" => HMACSHA512.HashData(key, body),
            _ => [],
        };
        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(eq + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        return expected.Length > 0 && CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>
    /// Checks GitHub's <c>X-Hub-Signature-256</c> as Argo CD does (go-playground/webhooks v6 github.go: the prefix
    /// <c>sha256=</c> trimmed, then the lowercase hex HMAC compared with hmac.Equal).
    /// </summary>
    public static bool IsValidGitHubSignature(string secret, string? header, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, body)["sha256=".Length..]);
        var given = Encoding.ASCII.GetBytes(header.StartsWith("sha256=", StringComparison.Ordinal) ? header["sha256=".Length..] : header);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>
    /// The exact bytes notification-controller posts for <paramref name="e"/>: Go json.Marshal of eventv1.Event, compact,
    /// fields in struct order, empty optional fields omitted, metadata keys sorted, no trailing newline.
    /// </summary>
    public static byte[] FluxEventBody(FluxEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var json = new StringBuilder(512);
        json.Append("{\"involvedObject\":{");
        var o = e.InvolvedObject;
        var inner = true;
        GoJson.Field(json, ref inner, "kind", o.Kind, omitEmpty: true);
        GoJson.Field(json, ref inner, "namespace", o.Namespace, omitEmpty: true);
        GoJson.Field(json, ref inner, "name", o.Name, omitEmpty: true);
        GoJson.Field(json, ref inner, "uid", o.Uid, omitEmpty: true);
        GoJson.Field(json, ref inner, "apiVersion", o.ApiVersion, omitEmpty: true);
        GoJson.Field(json, ref inner, "resourceVersion", o.ResourceVersion, omitEmpty: true);
        GoJson.Field(json, ref inner, "fieldPath", o.FieldPath, omitEmpty: true);
        json.Append('}');
        var first = false;
        GoJson.Field(json, ref first, "severity", e.Severity, omitEmpty: false);
        GoJson.Field(json, ref first, "timestamp", GoTime(e.Timestamp), omitEmpty: false);
        GoJson.Field(json, ref first, "message", e.Message, omitEmpty: false);
        GoJson.Field(json, ref first, "reason", e.Reason, omitEmpty: false);
        if (e.Metadata is { Count: > 0 } metadata)
        {
            json.Append(",\"metadata\":{");
            var entry = true;

            // Go sorts map keys by their bytes; ordinal UTF-16 order is the same outside the surrogate range.
            foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                GoJson.Field(json, ref entry, key, value, omitEmpty: false);
            }

            json.Append('}');
        }

        GoJson.Field(json, ref first, "reportingController", e.ReportingController, omitEmpty: false);
        GoJson.Field(json, ref first, "reportingInstance", e.ReportingInstance, omitEmpty: true);
        json.Append('}');
        return GoJson.Utf8(json);
    }

    /// <summary>The body Gantry's Argo CD notification template sends for <paramref name="e"/> (UTF-8 JSON object).</summary>
    public static byte[] ArgoCdEventBody(ArgoCdEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("application", e.Application);
            json.WriteString("namespace", e.Namespace);
            json.WriteString("tenant", e.Tenant ?? string.Empty);
            json.WriteString("instance", e.Instance ?? string.Empty);
            json.WriteString("generation", e.Generation ?? string.Empty);
            json.WriteString("trigger", e.Trigger);
            json.WriteString("operationPhase", e.OperationPhase ?? string.Empty);
            json.WriteString("healthStatus", e.HealthStatus ?? string.Empty);
            json.WriteString("syncRevision", e.SyncRevision ?? string.Empty);
            json.WriteString("message", e.Message ?? string.Empty);
            json.WriteString("timestamp", GoTime(e.Timestamp));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A GitHub push payload with the fields Argo CD reads (util/webhook/webhook.go affectedRevisionInfo): ref,
    /// before, after, repository.html_url and default_branch, and one commit listing <paramref name="modified"/>.
    /// </summary>
    public static byte[] GitHubPushBody(string repositoryUrl, string branch, string before, string after, IReadOnlyList<string>? modified = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ref", "refs/heads/" + branch);
            json.WriteString("before", before);
            json.WriteString("after", after);
            json.WriteStartArray("commits");
            json.WriteStartObject();
            json.WriteString("id", after);
            json.WriteStartArray("added");
            json.WriteEndArray();
            json.WriteStartArray("removed");
            json.WriteEndArray();
            json.WriteStartArray("modified");
            foreach (var path in modified ?? [])
            {
                json.WriteStringValue(path);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("repository");
            json.WriteString("html_url", repositoryUrl);
            json.WriteString("default_branch", branch);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // metav1.Time MarshalJSON: t.UTC().Format(time.RFC3339), whole seconds.
    private static string GoTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
