namespace Gantry.Server.Hosting;

/// <summary>Gantry cannot start; the message is one line that says what to fix.</summary>
public sealed class GantryStartupException(string message, Exception? innerException = null)
    : Exception(message, innerException);
