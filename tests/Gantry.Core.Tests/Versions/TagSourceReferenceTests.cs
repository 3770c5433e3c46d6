using Gantry.Core.Validation;
using Gantry.Core.Versions;

namespace Gantry.Core.Tests.Versions;

public sealed class TagSourceReferenceTests
{
    [Fact]
    public void Complete_references_are_valid()
    {
        var errors = new ValidationErrors();

        TagSourceReference.Static("v1.0.0").Validate("a", errors);
        TagSourceReference.Oci("https://registry.example.com", "team/app").Validate("b", errors);
        TagSourceReference.Oci("oci://registry.example.com/charts/qdrant").Validate("c", errors);
        TagSourceReference.Helm("https://charts.example.com", "qdrant").Validate("d", errors);

        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void Incomplete_references_name_each_missing_field()
    {
        var errors = new ValidationErrors();

        new TagSourceReference { Kind = TagSourceKind.Static }.Validate("s", errors);
        TagSourceReference.Oci("registry.example.com").Validate("o", errors);
        new TagSourceReference { Kind = TagSourceKind.Helm, Url = "not a url" }.Validate("h", errors);

        Assert.Equal(["h.chart", "h.url", "o.repository", "s.tags"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("https://reader:hunter2@charts.example.com/stable")]
    [InlineData("oci://robot:hunter2@registry.example.com/charts/qdrant")]
    public void Description_never_shows_a_password_written_in_the_url(string url)
    {
        var helm = TagSourceReference.Helm(url, "qdrant").ToString();
        var oci = TagSourceReference.Oci(url, "team/app").ToString();

        Assert.DoesNotContain("hunter2", helm, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", oci, StringComparison.Ordinal);
        Assert.Contains("example.com", helm, StringComparison.Ordinal);
    }
}
