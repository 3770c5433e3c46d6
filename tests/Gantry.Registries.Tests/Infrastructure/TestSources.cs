using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gantry.Registries.Tests.Infrastructure;

internal static class TestSources
{
    private static readonly HttpClient SharedHttp = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static OciTagSource Oci(RegistriesOptions? options = null) =>
        new(SharedHttp, Options.Create(options ?? new RegistriesOptions()), NullLogger<OciTagSource>.Instance);

    public static HelmRepositoryTagSource Helm(RegistriesOptions? options = null) =>
        new(SharedHttp, Options.Create(options ?? new RegistriesOptions()), NullLogger<HelmRepositoryTagSource>.Instance);

    /// <summary>The shared interop folder beside the repository (../shared/interop), found from the test binaries.</summary>
    public static string SharedInteropFile(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gantry.slnx")))
        {
            directory = directory.Parent;
        }

        if (directory?.Parent is null)
        {
            throw new InvalidOperationException("Gantry.slnx not found above " + AppContext.BaseDirectory);
        }

        return Path.Combine([directory.Parent.FullName, "shared", "interop", .. parts]);
    }
}
