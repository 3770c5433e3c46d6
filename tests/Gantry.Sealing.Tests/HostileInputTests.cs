using System.Text;
using Gantry.Sealing.Manifests;
using Gantry.Testing;

namespace Gantry.Sealing.Tests;

/// <summary>Mutated and random input never escapes as anything but a <see cref="SealingException"/>.</summary>
public sealed class HostileInputTests
{
    private const string Valid = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: db
          namespace: team-a
          labels: {app: db}
        type: Opaque
        data:
          password: YWRtaW4=
        stringData:
          user: "admin"
        """;

    [Theory]
    [InlineData(null)]
    [InlineData("amilstead-gitops-helm-workshop")]
    public void Mutated_manifests_fail_only_with_domain_errors(string? vector)
    {
        var original = vector is null ? Valid : InteropFiles.ReadText("sealed-secrets", vector, "sealed-secret.yaml");
        var random = new Random(6);
        var alphabet = ":-{}[]\"'&*!|>#%@`\n\t ,?~=\\abc0123".ToCharArray();
        for (var i = 0; i < 2000; i++)
        {
            var text = new StringBuilder(original);
            for (var edits = random.Next(1, 6); edits > 0; edits--)
            {
                var at = random.Next(text.Length);
                if (random.Next(2) == 0)
                {
                    text.Remove(at, 1);
                }
                else
                {
                    text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                }
            }

            AssertOnlyDomainErrors(text.ToString());
        }
    }

    [Fact]
    public void Random_bytes_fail_only_with_domain_errors()
    {
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            AssertOnlyDomainErrors(Encoding.UTF8.GetString(bytes));
            AssertOnlyDomainErrors("{" + Encoding.UTF8.GetString(bytes));
        }
    }

    [Fact]
    public void Random_sealed_values_fail_only_with_domain_errors()
    {
        var random = new Random(8);
        var unsealer = SealingTestKeys.Unsealer();
        foreach (var length in new[] { 0, 1, 2, 3, 17, 18, 530, 531, 600 })
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            if (length >= 2)
            {
                bytes[0] = 0x02;
                bytes[1] = 0x00;
            }

            Assert.Throws<SealingException>(() => unsealer.UnsealValue(Convert.ToBase64String(bytes), SealingScope.Strict, "a", "b"));
        }
    }

    private static void AssertOnlyDomainErrors(string text)
    {
        try
        {
            ManifestSerializer.ReadSecret(text);
        }
        catch (SealingException)
        {
        }

        try
        {
            ManifestSerializer.ReadSealedSecret(text);
        }
        catch (SealingException)
        {
        }
    }
}
