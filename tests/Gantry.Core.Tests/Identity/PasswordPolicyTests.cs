using Gantry.Core.Identity;
using Gantry.Core.Validation;

namespace Gantry.Core.Tests.Identity;

public sealed class PasswordPolicyTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short-pass")]
    [InlineData("               ")]
    [InlineData("alice.example1")]
    public void Weak_passwords_get_one_message_that_says_the_rule(string? password)
    {
        var errors = new ValidationErrors();

        PasswordPolicy.Validate(password, "alice.example1", "password", errors);

        var messages = Assert.Single(errors.ToDictionary()["password"]);
        Assert.Contains("12 to 128 characters", messages, StringComparison.Ordinal);
    }

    [Fact]
    public void A_passphrase_passes()
    {
        var errors = new ValidationErrors();

        PasswordPolicy.Validate("correct horse battery staple", "alice", "password", errors);

        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public void Quotas_name_every_bad_field()
    {
        var errors = new ValidationErrors();

        new TenantQuotas { MaxInstances = -1, MaxReplicasPerInstance = 0, AllowedOfferings = ["Not_A_Name"], AllowedEnvironmentTypes = ["qa"] }
            .Validate("quotas", errors);

        Assert.Equal(
            ["quotas.allowedEnvironmentTypes", "quotas.allowedOfferings", "quotas.maxInstances", "quotas.maxReplicasPerInstance"],
            errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }
}
