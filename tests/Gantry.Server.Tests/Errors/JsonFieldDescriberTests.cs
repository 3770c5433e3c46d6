using System.Text.Json;
using Gantry.Server.Errors;
using Gantry.Server.Instances;

namespace Gantry.Server.Tests.Errors;

public sealed class JsonFieldDescriberTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    [Fact]
    public void A_nullable_int_field_is_described_with_its_range() =>
        Assert.Equal("a whole number between -2147483648 and 2147483647", JsonFieldDescriber.Describe(typeof(ScaleRequest), "$.replicas", Web));

    [Fact]
    public void A_list_item_is_described_by_the_list_element() =>
        Assert.Equal("a string", JsonFieldDescriber.Describe(typeof(RotateCredentialsRequest), "$.secrets[0]", Web));

    [Fact]
    public void The_path_becomes_the_dotted_field_name() => Assert.Equal("values.items[2]", JsonFieldDescriber.FieldName("$.values.items[2]"));
}
