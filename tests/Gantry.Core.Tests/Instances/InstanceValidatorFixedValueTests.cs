using System.Text.Json.Nodes;
using Gantry.Core.Instances;

namespace Gantry.Core.Tests.Instances;

public sealed class InstanceValidatorFixedValueTests
{
    [Fact]
    public void A_value_equal_to_the_fixed_one_is_accepted()
    {
        var errors = Validate(new JsonObject
        {
            ["replicaCount"] = 3,
            ["config"] = new JsonObject { ["cluster"] = new JsonObject { ["enabled"] = true } },
            ["service"] = new JsonObject { ["type"] = "ClusterIP" },
        });

        Assert.Empty(errors);
    }

    [Fact]
    public void A_different_value_is_refused_naming_the_path_and_the_fixed_value()
    {
        var errors = Validate(new JsonObject { ["config"] = new JsonObject { ["cluster"] = new JsonObject { ["enabled"] = false } } });

        Assert.Equal(["is fixed by the platform to true; leave it out (or set exactly that)"], errors["values.config.cluster.enabled"]);
    }

    private static IDictionary<string, string[]> Validate(JsonObject values) => InstanceValidator.Validate(new InstanceValidationContext
    {
        Tenant = "client1",
        Name = "db1",
        Request = new InstanceRequest { Offering = "qdrant", Values = values },
        Offering = Rendering.RenderingFixture.Qdrant,
    }).ToDictionary();
}
