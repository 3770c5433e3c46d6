using Microsoft.Extensions.Options;

namespace Gantry.Server.Hosting;

/// <summary>Where the embedded defaults live inside the data folder.</summary>
public sealed class GantryPaths(IOptions<GantryOptions> options)
{
    public string DataDir { get; } = Path.GetFullPath(options.Value.DataDir);

    public string DatabaseFile => Path.Combine(DataDir, "gantry.db");

    public string StateRepository => Path.Combine(DataDir, "state.git");

    public string BucketDir => Path.Combine(DataDir, "buckets");
}
