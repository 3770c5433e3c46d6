using System.Net.Http.Json;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.OpenApi;

/// <summary>What the OpenAPI document says about single operations, checked against what the server does.</summary>
public sealed class OpenApiDocumentTests(OpenApiWorld world) : IClassFixture<OpenApiWorld>
{
    [Theory]
    [InlineData("/api/v1/tenants/{tenant}/sealing-key/controller-cert", "put", new[] { "application/json", "application/x-pem-file", "text/plain" })]
    [InlineData("/api/v1/auth/revoke", "post", new[] { "application/x-www-form-urlencoded", "application/json" })]
    [InlineData("/api/v1/auth/token", "post", new[] { "application/x-www-form-urlencoded", "application/json" })]
    public void Operations_that_read_a_body_describe_it_in_every_form_they_take(string path, string method, string[] mediaTypes)
    {
        var content = world.Operation(path, method).GetProperty("requestBody").GetProperty("content");
        Assert.All(mediaTypes, m => Assert.True(content.TryGetProperty(m, out _), $"{method} {path} does not declare {m}: {content}"));
    }

    [Fact]
    public void A_change_request_requires_only_what_the_server_requires_and_summary_is_optional()
    {
        var schema = world.Schema("CreateChangeRequest");
        var required = schema.TryGetProperty("required", out var list) ? list.EnumerateArray().Select(e => e.GetString()).ToList() : [];

        Assert.DoesNotContain("summary", required);
        Assert.DoesNotContain("payload", required);
        Assert.True(schema.GetProperty("properties").TryGetProperty("summary", out _));
    }

    [Fact]
    public void An_environment_claim_names_the_team_pool_and_lets_a_service_choose_its_node_pool()
    {
        var schema = world.Operation("/api/v1/environments", "post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var services = schema.GetProperty("properties").GetProperty("services").GetProperty("additionalProperties").GetProperty("oneOf");

        Assert.Contains("team pool", schema.GetProperty("properties").GetProperty("environment_pool").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("string", services[0].GetProperty("type").GetString());
        Assert.True(services[1].GetProperty("properties").TryGetProperty("node_pool", out _));
    }

    [Fact]
    public void An_environment_list_item_maps_each_service_to_its_version_and_may_have_none()
    {
        var versions = world.Schema("EnvironmentSummary").GetProperty("properties").GetProperty("service_versions");

        Assert.Contains("object", Types(versions));
        Assert.Contains("null", Types(versions));
        Assert.Equal("string", versions.GetProperty("additionalProperties").GetProperty("type").GetString());
        Assert.Contains("resolved version", versions.GetProperty("description").GetString(), StringComparison.Ordinal);

        // OpenAPI 3.1 writes a nullable type as a list, 3.0 as one type beside nullable: true.
        static List<string?> Types(JsonElement schema) => schema.GetProperty("type") switch
        {
            { ValueKind: JsonValueKind.Array } list => list.EnumerateArray().Select(t => t.GetString()).ToList(),
            var one => schema.TryGetProperty("nullable", out var nullable) && nullable.GetBoolean() ? [one.GetString(), "null"] : [one.GetString()],
        };
    }

    [Fact]
    public void The_diff_declares_its_json_and_its_unified_diff_answer()
    {
        var content = world.Operation("/api/v1/tenants/{tenant}/instances/{name}/diff", "get").GetProperty("responses").GetProperty("200").GetProperty("content");

        Assert.True(content.TryGetProperty("application/json", out _), content.ToString());
        Assert.Equal("string", content.GetProperty("text/x-diff").GetProperty("schema").GetProperty("type").GetString());
    }
}

/// <summary>One server and its OpenAPI document for the OpenAPI test classes.</summary>
public sealed class OpenApiWorld : IAsyncLifetime
{
    public GantryServerFactory Factory { get; } = new();

    public JsonElement Document { get; private set; }

    public JsonElement Operation(string path, string method) => Document.GetProperty("paths").GetProperty(path).GetProperty(method);

    public JsonElement Schema(string name) => Document.GetProperty("components").GetProperty("schemas").GetProperty(name);

    /// <summary>A client signed in as a user who is in no tenant and administers nothing.</summary>
    public async Task<HttpClient> SignedInWithoutRolesAsync()
    {
        var admin = await Factory.CreateAdminClientAsync();
        var created = await admin.PostAsJsonAsync("/api/v1/users", new { username = "nobody", password = "a long enough test password" });
        Assert.True(created.IsSuccessStatusCode || created.StatusCode == System.Net.HttpStatusCode.Conflict, await created.Content.ReadAsStringAsync());
        var login = await Factory.CreateClient().LoginAsync("nobody", "a long enough test password");
        return Factory.CreateClient().WithBearer(login.GetProperty("access_token").GetString()!);
    }

    public async Task InitializeAsync() =>
        Document = JsonDocument.Parse(await Factory.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement.Clone();

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}
