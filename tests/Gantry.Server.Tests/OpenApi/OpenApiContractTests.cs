using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gantry.Server.Tests.OpenApi;

/// <summary>
/// The OpenAPI document against the server's behaviour, over every operation it lists: each answer the server gives
/// to a probe is a status code the operation declares, and each operation that reads a body declares one. An endpoint
/// added without declaring what it answers fails here.
/// </summary>
public sealed class OpenApiContractTests(OpenApiWorld world) : IClassFixture<OpenApiWorld>
{
    private static readonly string[] Methods = ["get", "put", "post", "patch", "delete"];

    public sealed record Operation(string Method, string Path, JsonElement Element)
    {
        public bool HasBody => Element.TryGetProperty("requestBody", out _);

        public ISet<int> Declared => Element.GetProperty("responses").EnumerateObject()
            .Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

        // Every path parameter gets a name that exists nowhere, so a probe never changes anything that exists.
        public string Url => System.Text.RegularExpressions.Regex.Replace(Path, "{[^}]+}", "nosuch1");

        public override string ToString() => $"{Method.ToUpperInvariant()} {Path}";
    }

    private IEnumerable<Operation> Operations() =>
        from path in world.Document.GetProperty("paths").EnumerateObject()
        from method in path.Value.EnumerateObject()
        where Methods.Contains(method.Name)
        select new Operation(method.Name, path.Name, method.Value);

    [Fact]
    public async Task Every_answer_to_a_stranger_is_a_declared_status_and_authenticated_operations_declare_401()
    {
        var undeclared = new List<string>();
        foreach (var operation in Operations())
        {
            var status = await ProbeAsync(world.Factory.CreateClient(), operation, operation.HasBody ? JsonContent.Create(new { }) : null);
            Check(operation, status, "no credentials", undeclared);
        }

        Assert.True(undeclared.Count == 0, string.Join("\n", undeclared));
    }

    [Fact]
    public async Task Every_answer_to_a_malformed_body_or_a_wrong_content_type_is_a_declared_status()
    {
        var admin = await world.Factory.CreateAdminClientAsync();
        var undeclared = new List<string>();
        foreach (var operation in Operations().Where(o => o.HasBody))
        {
            Check(operation, await ProbeAsync(admin, operation, new StringContent("{\"a\": [1,", Encoding.UTF8, "application/json")), "malformed JSON", undeclared);
            Check(operation, await ProbeAsync(admin, operation, new StringContent("{\"a\":1,\"a\":2}", Encoding.UTF8, "application/json")), "duplicate key", undeclared);
            Check(operation, await ProbeAsync(admin, operation, new ByteArrayContent([0xff, 0xfe, 0x00]) { Headers = { ContentType = new("application/octet-stream") } }),
                "binary body", undeclared);
        }

        Assert.True(undeclared.Count == 0, string.Join("\n", undeclared));
    }

    [Fact]
    public async Task Every_answer_about_a_resource_that_does_not_exist_or_is_not_yours_is_a_declared_status()
    {
        var admin = await world.Factory.CreateAdminClientAsync();
        var nobody = await world.SignedInWithoutRolesAsync();
        var undeclared = new List<string>();
        foreach (var operation in Operations())
        {
            foreach (var (who, client) in new[] { ("platform admin", admin), ("member of nothing", nobody) })
            {
                Check(operation, await ProbeAsync(client, operation, operation.HasBody ? JsonContent.Create(new { }) : null), who, undeclared);
            }
        }

        Assert.True(undeclared.Count == 0, string.Join("\n", undeclared));
    }

    [Fact]
    public void Every_operation_whose_handler_reads_a_body_declares_one()
    {
        // Handlers that read the body themselves (form or JSON, PEM) are the ones the metadata cannot see.
        var readers = new[]
        {
            ("post", "/api/v1/auth/token"), ("post", "/api/v1/auth/revoke"), ("post", "/api/v1/environments"),
            ("put", "/api/v1/tenants/{tenant}/sealing-key/controller-cert"),
            ("post", "/api/v1/webhooks/flux/{cluster}"), ("post", "/api/v1/webhooks/argocd/{cluster}"),
        };
        var operations = Operations().ToDictionary(o => (o.Method, o.Path));
        Assert.All(readers, r => Assert.True(operations[r].HasBody, $"{r} reads a body but declares none"));
    }

    private static void Check(Operation operation, HttpStatusCode status, string probe, List<string> undeclared)
    {
        Assert.True((int)status < 500, $"{operation} answered {(int)status} to {probe}");
        if (!operation.Declared.Contains((int)status))
        {
            undeclared.Add($"{operation} answered {(int)status} to {probe}; declares {string.Join(", ", operation.Declared.Order())}");
        }
    }

    private static async Task<HttpStatusCode> ProbeAsync(HttpClient client, Operation operation, HttpContent? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method.ToUpperInvariant()), operation.Url) { Content = body };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // Headers only: an event stream that does answer 200 would never end.
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        // Errors are problem documents, except where the operation declares another form (OAuth's token errors).
        if ((int)response.StatusCode >= 400)
        {
            var code = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var declared = operation.Element.GetProperty("responses").TryGetProperty(code, out var r) && r.TryGetProperty("content", out var c)
                ? c.EnumerateObject().Select(m => m.Name).ToList()
                : ["application/problem+json"];
            Assert.True(declared.Contains(response.Content.Headers.ContentType?.MediaType!),
                $"{operation} answered {code} as {response.Content.Headers.ContentType?.MediaType}, declared {string.Join(", ", declared)}");
        }

        return response.StatusCode;
    }
}
