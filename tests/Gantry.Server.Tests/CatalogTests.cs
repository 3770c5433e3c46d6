using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests;

public sealed class CatalogTests : IDisposable
{
    private readonly GantryServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Shipped_offerings_are_listed()
    {
        var offerings = await (await _factory.CreateAdminClientAsync()).GetFromJsonAsync<JsonElement>("/api/v1/offerings");

        Assert.Equal(["qdrant", "runner"], offerings.EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal("argocd", offerings[0].GetProperty("engine").GetString());
    }

    [Fact]
    public async Task One_offering_carries_its_schema_and_fixed_paths_but_not_fixed_values()
    {
        var qdrant = await (await _factory.CreateAdminClientAsync()).GetFromJsonAsync<JsonElement>("/api/v1/offerings/qdrant");

        Assert.Equal("object", qdrant.GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal(9, qdrant.GetProperty("schema").GetProperty("properties").GetProperty("replicaCount").GetProperty("maximum").GetInt32());
        Assert.Contains("service.type", qdrant.GetProperty("fixed").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("replicaCount", qdrant.GetProperty("replicasPath").GetString());
        Assert.True(qdrant.GetProperty("secrets")[0].GetProperty("generated").GetBoolean());
    }

    [Fact]
    public async Task The_catalog_needs_a_signed_in_principal()
    {
        var response = await _factory.CreateClient().GetAsync("/api/v1/offerings");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_offering_is_a_problem_404()
    {
        var response = await (await _factory.CreateAdminClientAsync()).GetAsync("/api/v1/offerings/oracle");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

public sealed class BadCatalogTests : IDisposable
{
    private readonly TempFolder _folder = new("gantry-catalog");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task An_invalid_catalog_file_stops_the_start_naming_file_and_field()
    {
        var catalog = _folder.Combine("catalog");
        Directory.CreateDirectory(catalog);
        await File.WriteAllTextAsync(Path.Combine(catalog, "broken.yaml"), """
            name: broken
            engine: flux
            chart: { repository: "https://charts.example.com", name: broken, version: "*" }
            schema: { type: object, properties: { replicas: { type: string } } }
            replicasPath: replicas
            """);
        await using var server = ServerProcess.Start(["--data-dir", _folder.Combine("data"), "--Catalog:Path", catalog]);

        Assert.NotEqual(0, await server.WaitForExitAsync());
        var error = server.StandardError.Trim().Split('\n')[^1];
        Assert.Contains("broken.yaml: replicasPath:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("number", "name: broken\nengine: flux\nreplicas: 99999999999999999999999\n", "broken.yaml: line 3, column 11: $.replicas: 99999999999999999999999 is out of range")]
    [InlineData("duplicate", "name: broken\nengine: flux\nname: again\n", "broken.yaml: line 3, column 1: $: key 'name' appears twice")]
    [InlineData("bytes", "name: broken\nengine: \u00ff\n", "broken.yaml: not UTF-8 text at line 2, byte 9")]
    public async Task A_catalog_file_that_breaks_the_input_rules_stops_the_start_naming_file_and_position(string label, string text, string expected)
    {
        var catalog = _folder.Combine($"catalog-{label}");
        Directory.CreateDirectory(catalog);
        // \u00ff stands for a lone 0xFF byte: never valid in UTF-8.
        var bytes = text.Select(c => (byte)c).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(catalog, "broken.yaml"), bytes);
        await using var server = ServerProcess.Start(["--data-dir", _folder.Combine($"data-{label}"), "--Catalog:Path", catalog]);

        Assert.Equal(2, await server.WaitForExitAsync());
        var error = server.StandardError.Trim().Split('\n')[^1];
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.StandardError, StringComparison.Ordinal);
    }
}
