namespace Gantry.Sealing;

/// <summary>
/// A sealing operation failed for a reason the caller can act on: malformed input, a value that does not
/// decrypt, an expired certificate, a wrong master key. The message is safe to show and never contains
/// secret material; the underlying crypto exception, if any, is kept as the inner exception.
/// </summary>
public sealed class SealingException : Exception
{
    public SealingException(string message)
        : base(message)
    {
    }

    public SealingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
