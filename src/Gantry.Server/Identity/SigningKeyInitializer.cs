namespace Gantry.Server.Identity;

/// <summary>Makes (or loads and rotates) the token signing key at start, so the first login does not pay for it and a bad key folder stops the start.</summary>
internal sealed class SigningKeyInitializer(SigningKeyStore keys) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = keys.Current;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
