using Gantry.Core.Validation;

namespace Gantry.Core.Tests;

public sealed class ResourceNameTests
{
    [Theory]
    [InlineData("client1")]
    [InlineData("a")]
    [InlineData("qdrant-client-1")]
    [InlineData("0abc")]
    public void Dns1123_labels_are_accepted(string name) => Assert.True(ResourceName.IsDns1123Label(name));

    [Theory]
    [InlineData("")]
    [InlineData("Client1")]
    [InlineData("-abc")]
    [InlineData("abc-")]
    [InlineData("a_b")]
    [InlineData("a.b")]
    [InlineData("../etc")]
    [InlineData("abc\n")]
    [InlineData("tenant\0")]
    public void Non_labels_are_refused(string name) => Assert.False(ResourceName.IsDns1123Label(name));

    [Fact]
    public void Sixty_four_characters_are_too_many()
    {
        Assert.True(ResourceName.IsDns1123Label(new string('a', 63)));
        Assert.False(ResourceName.IsDns1123Label(new string('a', 64)));
    }

    [Fact]
    public void Validation_collects_every_bad_field()
    {
        var errors = new ValidationErrors();
        ResourceName.Validate("Bad", "name", errors);
        ResourceName.Validate("ok", "tenant", errors);
        ResourceName.Validate("", "namespace", errors);

        var problem = Assert.Throws<ValidationFailedException>(errors.ThrowIfAny);
        Assert.Equal(["name", "namespace"], problem.Errors.Keys.Order());
    }
}
