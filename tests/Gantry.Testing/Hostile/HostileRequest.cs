using System.Text;

namespace Gantry.Testing.Hostile;

/// <summary>Whose credentials a hostile request carries.</summary>
public enum Caller
{
    /// <summary>A member of the world's own tenant.</summary>
    Owner,

    /// <summary>A member of the other tenant: every answer must keep the own tenant's names out.</summary>
    Foreign,

    /// <summary>No Authorization header.</summary>
    Anonymous,

    /// <summary>A token that is not one: <c>alg: none</c>, truncated, garbage.</summary>
    Forged,
}

/// <summary>One generated request: the operation it aims at, and what is hostile about it (<see cref="Kind"/>).</summary>
public sealed record HostileRequest(
    string Method, string Operation, string Url, Caller Caller, byte[]? Body, string? ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers, string Kind)
{
    /// <summary>Everything the caller sent, as text, so an answer that only repeats the request is not counted a leak.</summary>
    public string SentText => Uri.UnescapeDataString(Url) + "\n" + (Body is null ? "" : Encoding.UTF8.GetString(Body)) + "\n"
        + string.Join("\n", Headers.Select(h => h.Value));

    public HttpRequestMessage ToMessage(string? token)
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(Url, UriKind.Relative));
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            // The server may answer (413, 401) before it reads a large body and close the connection: with
            // Expect: 100-continue the client hears that answer instead of failing on a broken pipe mid-upload.
            message.Headers.ExpectContinue = Body.Length > 16 * 1024;
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        if (token is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        }

        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }

    public override string ToString() =>
        $"{Method} {(Url.Length > 200 ? Url[..200] + "…" : Url)} as {Caller} [{Kind}] body {Body?.Length ?? 0} bytes as {ContentType ?? "(none)"}";
}
