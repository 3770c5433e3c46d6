namespace Gantry.Core.State;

/// <summary>
/// A change touched paths that were changed after the revision it was based on; nothing of it was written.
/// The caller should read again and decide (HTTP 409/412).
/// </summary>
public sealed class ChangeConflictException : Exception
{
    public ChangeConflictException(IReadOnlyList<string> paths, string? currentRevision)
        : base($"The change conflicts with a newer revision{(currentRevision is null ? "" : " " + currentRevision)}: {string.Join(", ", paths.Take(10))}{(paths.Count > 10 ? ", …" : "")} changed since its base.")
    {
        Paths = paths;
        CurrentRevision = currentRevision;
    }

    public ChangeConflictException()
        : this([], null)
    {
    }

    public ChangeConflictException(string message)
        : base(message)
    {
        Paths = [];
    }

    public ChangeConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
        Paths = [];
    }

    /// <summary>The paths of the change that were changed by someone else.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>The revision the conflict was found against, when known.</summary>
    public string? CurrentRevision { get; }
}

/// <summary>The state store could not do what was asked (remote unreachable or refusing, I/O failure). Messages never hold credentials.</summary>
public sealed class StateStoreException : Exception
{
    public StateStoreException()
    {
    }

    public StateStoreException(string message)
        : base(message)
    {
    }

    public StateStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
