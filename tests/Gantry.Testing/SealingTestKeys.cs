using Gantry.Sealing;
using Gantry.Sealing.Keys;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Testing;

/// <summary>One 4096-bit sealing key pair shared by a test run (generation costs seconds) and a fixed clock it is valid at.</summary>
public static class SealingTestKeys
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<SealingKeyPair> SharedPair = new(() => SealingKeyPair.Generate(Clock(), new SealingKeyOptions { CommonName = "gantry-test" }));

    public static SealingKeyPair Pair => SharedPair.Value;

    /// <summary>A fake clock at <see cref="Now"/>; advance it to expire certificates.</summary>
    public static FakeTimeProvider Clock() => new(Now);

    public static SealedSecretsSealer Sealer() => new(Pair.Certificate);

    public static SealedSecretsUnsealer Unsealer() => new([Pair.PrivateKey]);
}
