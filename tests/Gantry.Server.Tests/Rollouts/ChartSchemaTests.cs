using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Rollouts;

/// <summary>An offering with <c>chart.schemaFromChart</c>: values must also satisfy the chart package's values.schema.json.</summary>
public sealed class ChartSchemaTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _catalog = new("gantry-chart-schema");
    private ChartRepository _repository = null!;
    private GantryServerFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _repository = await ChartRepository.StartAsync("search", "1.0.0",
            valuesYaml: "replicaCount: 1\nimage:\n  repository: example/search\n",
            schemaJson: """
                {"type": "object", "required": ["image"],
                 "properties": {"replicaCount": {"type": "integer", "maximum": 5}, "image": {"type": "object", "required": ["repository"]}}}
                """);
        File.WriteAllText(Path.Combine(_catalog.Path, "search.yaml"), $"""
            name: search
            engine: flux
            chart:
              repository: {_repository.Url.AbsoluteUri.TrimEnd('/')}
              name: search
              version: "*"
              versions: ["1.0.0"]
              schemaFromChart: true
            replicasPath: replicaCount
            schema:
              type: object
              additionalProperties: false
              properties:
                replicaCount: {"{"} type: integer, minimum: 1, maximum: 9 {"}"}
            """);
        _factory = new GantryServerFactory().With("Catalog:Path", _catalog.Path);
        var admin = await _factory.CreateAdminClientAsync();
        await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/tenants", new { name = "acme" }).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Values_the_offering_allows_but_the_chart_schema_refuses_are_refused_naming_the_chart()
    {
        var admin = await _factory.CreateAdminClientAsync();

        await admin.SendJsonAsync(HttpMethod.Put, "/api/v1/tenants/acme/instances/s1", new { offering = "search", values = new { replicaCount = 3 } })
            .ExpectAsync(HttpStatusCode.Created);
        var refused = await admin.SendJsonAsync(HttpMethod.Put, "/api/v1/tenants/acme/instances/s1", new { offering = "search", values = new { replicaCount = 7 } })
            .ExpectAsync(HttpStatusCode.BadRequest);

        var message = refused.GetProperty("errors").GetProperty("values.replicaCount")[0].GetString()!;
        Assert.Contains("values.schema.json, search 1.0.0", message, StringComparison.Ordinal);
        var preview = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/rollouts/preview", new { offering = "search", change = new { values = new { replicaCount = 6 } } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(preview.GetProperty("invalid").EnumerateObject(), e => e.Name == "acme/s1: values.replicaCount");
        Assert.Equal(1, _repository.PackageRequests); // read once per version
    }

    public async Task DisposeAsync()
    {
        Dispose();
        await _repository.DisposeAsync();
    }

    public void Dispose()
    {
        _factory?.Dispose();
        _catalog.Dispose();
    }
}
