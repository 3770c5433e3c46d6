namespace Gantry.Server.Bootstrap;

/// <summary>
/// What the first start created. The generated admin password is kept only until the banner has shown it once:
/// it is never logged and never stored in clear.
/// </summary>
public sealed class BootstrapReport
{
    private string? _generatedAdminPassword;

    public bool AdminCreated { get; private set; }

    public bool AdminPasswordFromEnvironment { get; private set; }

    public void RecordAdminCreated(string? generatedPassword)
    {
        AdminCreated = true;
        AdminPasswordFromEnvironment = generatedPassword is null;
        _generatedAdminPassword = generatedPassword;
    }

    /// <summary>Returns the generated password the first time it is asked for, and null ever after.</summary>
    public string? TakeGeneratedAdminPassword() => Interlocked.Exchange(ref _generatedAdminPassword, null);
}
