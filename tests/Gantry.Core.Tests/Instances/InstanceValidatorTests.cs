using System.Text.Json.Nodes;
using Gantry.Core.Identity;
using Gantry.Core.Instances;
using Gantry.Core.Tests.Rendering;

namespace Gantry.Core.Tests.Instances;

public sealed class InstanceValidatorTests
{
    [Fact]
    public void A_valid_request_has_no_errors()
    {
        var errors = InstanceValidator.Validate(Context(new JsonObject { ["replicaCount"] = 3 }));

        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void Every_problem_is_named_at_once()
    {
        var errors = InstanceValidator.Validate(Context(
            new JsonObject
            {
                ["replicaCount"] = 12,
                ["service"] = new JsonObject { ["type"] = "LoadBalancer" },
                ["apiKey"] = "mine",
                ["surprise"] = true,
            },
            name: "Bad_Name")).ToDictionary();

        Assert.Contains("name", errors.Keys);
        Assert.Equal(["must be at most 9"], errors["values.replicaCount"]);
        Assert.Contains("values.service.type", errors.Keys);
        Assert.Contains("values.apiKey", errors.Keys);
        Assert.Contains("values.surprise", errors.Keys);
    }

    [Fact]
    public void Replacing_a_fixed_object_whole_is_refused_too()
    {
        var errors = InstanceValidator.Validate(Context(new JsonObject { ["service"] = "NodePort" })).ToDictionary();

        Assert.Contains("values.service.type", errors.Keys);
    }

    [Fact]
    public void Quotas_limit_instances_replicas_and_offerings()
    {
        var quota = new TenantQuotas { MaxInstances = 2, MaxReplicasPerInstance = 2, AllowedOfferings = ["runner"] };

        var errors = InstanceValidator.Validate(Context(new JsonObject { ["replicaCount"] = 3 }) with { Quota = quota, OtherInstances = 2 })
            .ToDictionary();

        Assert.Contains(errors["name"], m => m.Contains("2 of its 2 allowed instances", StringComparison.Ordinal));
        Assert.Contains(errors["values.replicaCount"], m => m.Contains("quota of 2", StringComparison.Ordinal));
        Assert.Contains(errors["offering"], m => m.Contains("not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_offering_is_named()
    {
        var errors = InstanceValidator.Validate(Context(null) with { Offering = null, Request = new InstanceRequest { Offering = "oracle" } })
            .ToDictionary();

        Assert.Equal(["'oracle' is not in the catalog"], errors["offering"]);
    }

    [Fact]
    public void Required_settings_without_defaults_are_reported()
    {
        var context = Context(new JsonObject()) with
        {
            Offering = RenderingFixture.Runner,
            Request = new InstanceRequest { Offering = "runner", Values = [] },
        };

        var errors = InstanceValidator.Validate(context).ToDictionary();

        Assert.Contains("values.organization", errors.Keys);
        Assert.Contains("values.uuid", errors.Keys);
    }

    [Fact]
    public void Hostile_strings_fail_the_schema_instead_of_reaching_yaml()
    {
        var errors = InstanceValidator.Validate(Context(new JsonObject
        {
            ["image"] = new JsonObject { ["tag"] = "v1.2.3\nimage: evil" },
        })).ToDictionary();

        Assert.Contains("values.image.tag", errors.Keys);
    }

    private static InstanceValidationContext Context(JsonObject? values, string name = "db1") => new()
    {
        Tenant = "client1",
        Name = name,
        Offering = RenderingFixture.Qdrant,
        Request = new InstanceRequest { Offering = "qdrant", Values = values },
    };
}
