using Gantry.Sealing.Keys;
using Gantry.Testing;

namespace Gantry.Sealing.Tests;

public sealed class EscrowTests
{
    [Fact]
    public void Escrowed_key_round_trips_and_still_opens_values()
    {
        var escrow = new SealingKeyEscrow([EscrowMasterKey.Generate("m1")]);
        var sealedValue = SealingTestKeys.Sealer().SealValue("v"u8, SealingScope.Strict, "n", "s");

        var restored = escrow.Unprotect(escrow.Protect(SealingTestKeys.Pair.PrivateKey));

        Assert.Equal(SealingTestKeys.Pair.PrivateKey.PublicKeyFingerprint, restored.PublicKeyFingerprint);
        Assert.Equal("v"u8.ToArray(), new SealedSecretsUnsealer([restored]).UnsealValue(sealedValue, SealingScope.Strict, "n", "s"));
    }

    [Fact]
    public void Escrowed_key_does_not_open_with_a_wrong_master_key_of_the_same_id()
    {
        var escrowed = new SealingKeyEscrow([EscrowMasterKey.Generate("m1")]).Protect(SealingTestKeys.Pair.PrivateKey);

        var error = Assert.Throws<SealingException>(() => new SealingKeyEscrow([EscrowMasterKey.Generate("m1")]).Unprotect(escrowed));
        Assert.Contains("wrong key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Escrowed_key_of_an_unknown_master_key_names_the_key()
    {
        var escrowed = new SealingKeyEscrow([EscrowMasterKey.Generate("old")]).Protect(SealingTestKeys.Pair.PrivateKey);

        var error = Assert.Throws<SealingException>(() => new SealingKeyEscrow([EscrowMasterKey.Generate("new")]).Unprotect(escrowed));
        Assert.Contains("'old'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Older_master_key_still_opens_after_rotation()
    {
        var old = EscrowMasterKey.Generate("old");
        var escrowed = new SealingKeyEscrow([old]).Protect(SealingTestKeys.Pair.PrivateKey);
        var rotated = new SealingKeyEscrow([EscrowMasterKey.Generate("new"), EscrowMasterKey.FromBase64("old", old.ToBase64())]);

        Assert.Equal(SealingTestKeys.Pair.PrivateKey.PublicKeyFingerprint, rotated.Unprotect(escrowed).PublicKeyFingerprint);
        Assert.Equal("new", rotated.CurrentKeyId);
    }

    [Fact]
    public void Altered_escrow_blob_is_refused()
    {
        var escrow = new SealingKeyEscrow([EscrowMasterKey.Generate("m1")]);
        var blob = Convert.FromBase64String(escrow.Protect(SealingTestKeys.Pair.PrivateKey));
        blob[^20] ^= 1;

        Assert.Throws<SealingException>(() => escrow.Unprotect(Convert.ToBase64String(blob)));
        Assert.Throws<SealingException>(() => escrow.Unprotect("R0tFMQ=="));
        Assert.Throws<SealingException>(() => escrow.Unprotect("%%"));
    }

    [Fact]
    public void Master_key_of_wrong_length_is_refused()
    {
        Assert.Throws<SealingException>(() => EscrowMasterKey.FromBase64("m", Convert.ToBase64String(new byte[16])));
    }
}
