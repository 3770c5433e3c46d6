namespace Gantry.Core.State;

/// <summary>Revisions are full 40-character lower-case hexadecimal Git commit ids; they double as ETags.</summary>
public static class StateRevision
{
    public const int Length = 40;

    public static bool IsWellFormed(string? revision) =>
        revision is { Length: Length } && revision.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
