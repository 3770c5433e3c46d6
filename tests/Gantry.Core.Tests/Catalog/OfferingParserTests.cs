using System.Text.Json.Nodes;
using Gantry.Core.Catalog;
using Gantry.Testing;

namespace Gantry.Core.Tests.Catalog;

public sealed class OfferingParserTests
{
    [Theory]
    [InlineData("qdrant", GitOpsEngine.ArgoCd)]
    [InlineData("runner", GitOpsEngine.Flux)]
    public void Shipped_offerings_parse(string name, GitOpsEngine engine)
    {
        var path = InteropFiles.InRepository("examples", "catalog", $"{name}.yaml");

        var offering = OfferingParser.Parse(File.ReadAllText(path), path);

        Assert.Equal(name, offering.Name);
        Assert.Equal(engine, offering.Engine);
        Assert.NotEmpty(offering.Chart.Versions);
        Assert.NotNull(offering.ReplicasPath);
        Assert.True(offering.Schema.DeclaresInteger(offering.ReplicasPath));
    }

    [Fact]
    public void Every_problem_is_reported_with_file_and_field()
    {
        const string yaml = """
            name: Bad_Name
            engine: flux
            chart:
              repository: ftp://example.com
              name: ""
              version: ""
            namespace: "{tenant}_x"
            schema:
              type: object
              properties:
                replicas: { type: string }
            replicasPath: replicas
            """;

        var error = Assert.Throws<CatalogException>(() => OfferingParser.Parse(yaml, "bad.yaml"));

        Assert.Contains("bad.yaml: name: is required and must be a DNS-1123 label (lower-case letters, digits, '-')", error.Problems);
        Assert.Contains(error.Problems, p => p.StartsWith("bad.yaml: chart.repository:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("bad.yaml: chart.name:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("bad.yaml: chart.version:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("bad.yaml: namespace:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("bad.yaml: replicasPath:", StringComparison.Ordinal));
    }

    [Fact]
    public void An_argocd_secret_must_say_where_the_chart_takes_an_existing_secret()
    {
        var yaml = Minimal.Replace("engine: flux", "engine: argocd", StringComparison.Ordinal)
            + "\nsecrets:\n  - name: token\n    valuesPath: token\n";

        var error = Assert.Throws<CatalogException>(() => OfferingParser.Parse(yaml, "argo.yaml"));
        Assert.Contains(error.Problems, p => p.StartsWith("argo.yaml: secrets[0].secretKeyRefPath: is required", StringComparison.Ordinal));

        var offering = OfferingParser.Parse(yaml + "    secretKeyRefPath: token.existingSecret\n", "argo.yaml");
        Assert.Equal("token.existingSecret", offering.Secrets[0].SecretKeyRefPath);
    }

    [Fact]
    public void Unknown_fields_are_errors_naming_the_field()
    {
        var yaml = Minimal + "\nreplicaPath: typo\n";

        var error = Assert.Throws<CatalogException>(() => OfferingParser.Parse(yaml, "typo.yaml"));

        Assert.Contains(error.Problems, p => p.Contains("typo.yaml", StringComparison.Ordinal) && p.Contains("replicaPath", StringComparison.Ordinal));
    }

    [Fact]
    public void Wrong_engine_is_an_error_naming_the_field()
    {
        var error = Assert.Throws<CatalogException>(() => OfferingParser.Parse(Minimal.Replace("engine: flux", "engine: helmfile", StringComparison.Ordinal), "e.yaml"));

        Assert.Contains(error.Problems, p => p.StartsWith("e.yaml: engine", StringComparison.Ordinal));
    }

    [Fact]
    public void Schemas_may_not_reference_outside_themselves()
    {
        var yaml = Minimal.Replace("type: object", "type: object\n  $ref: https://example.com/evil.json", StringComparison.Ordinal);

        var error = Assert.Throws<CatalogException>(() => OfferingParser.Parse(yaml, "ref.yaml"));

        Assert.Contains(error.Problems, p => p.StartsWith("ref.yaml: schema: $ref 'https://example.com/evil.json'", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_must_satisfy_the_schema()
    {
        var yaml = Minimal + "\ndefaults:\n  replicas: many\n";

        var error = Assert.Throws<CatalogException>(() => OfferingParser.Parse(yaml, "d.yaml"));

        Assert.Contains("d.yaml: defaults.replicas: must be a whole number", error.Problems);
    }

    [Fact]
    public void Schema_validation_names_each_bad_value()
    {
        var offering = OfferingParser.Parse(Minimal, "m.yaml");

        var problems = offering.Schema.Validate(new JsonObject { ["replicas"] = 99, ["evil"] = "x" }, "values");

        Assert.Contains(("values.replicas", "must be at most 5"), problems);
        Assert.Contains(("values.evil", "is not a setting this offering accepts"), problems);
    }

    private const string Minimal = """
        name: demo
        engine: flux
        chart:
          repository: https://charts.example.com
          name: demo
          version: "*"
        schema:
          type: object
          additionalProperties: false
          properties:
            replicas: { type: integer, minimum: 0, maximum: 5 }
        """;
}
