using Gantry.Sealing.Keys;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Sealing.Tests;

/// <summary>One 4096-bit key pair shared by the tests (generation costs about a second) and a fixed clock.</summary>
internal static class TestKeys
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<SealingKeyPair> SharedPair = new(() => SealingKeyPair.Generate(Clock(), new SealingKeyOptions { CommonName = "gantry-test" }));

    public static SealingKeyPair Pair => SharedPair.Value;

    public static FakeTimeProvider Clock() => new(Now);

    public static SealedSecretsSealer Sealer() => new(Pair.Certificate);

    public static SealedSecretsUnsealer Unsealer() => new([Pair.PrivateKey]);
}
