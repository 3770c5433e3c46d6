using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Testing;

namespace Gantry.Server.Tests.Deployment;

/// <summary>
/// The Dockerfile's final stage, read from the file so the test and the image cannot drift: what the build stage
/// publishes, the environment, <c>ENTRYPOINT</c> and <c>CMD</c>. No container engine runs here, so the published
/// output is run as the image would run it, with <c>/app</c> mapped to the publish folder and <c>/data</c> to a
/// temp folder. Publishing takes most of a minute: one publish serves the class, and the class is in the
/// <c>Slow</c> category (<c>--filter Category!=Slow</c> leaves it out).
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ContainerEntryPointTests(ContainerEntryPointTests.Published published) : IClassFixture<ContainerEntryPointTests.Published>
{
    [Fact]
    public void The_final_stage_is_the_aspnet_runtime_as_a_non_root_user_without_the_sdk()
    {
        var stage = Dockerfile.Load().FinalStage;

        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", stage.From, StringComparison.Ordinal);
        Assert.Equal("$APP_UID", stage.User);
        Assert.DoesNotContain(stage.Lines, l => l.Contains("dotnet/sdk", StringComparison.Ordinal) || l.StartsWith("ARG", StringComparison.Ordinal));
        Assert.Equal("/data", stage.Environment["Gantry__DataDir"]);
        Assert.Equal(["serve"], stage.Command);
    }

    [Fact]
    public async Task The_published_output_started_as_the_entry_point_answers_healthz_and_readyz()
    {
        var stage = Dockerfile.Load().FinalStage;
        using var data = new TempFolder("gantry-image-data");
        var port = Ports.Free();
        var arguments = stage.EntryPoint.Concat(stage.Command).Select(a => published.Map(a, data.Path)).ToList();
        var info = new ProcessStartInfo(arguments[0])
        {
            WorkingDirectory = published.Map(stage.WorkingDirectory, data.Path),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        // The image's environment and nothing of the test's that would change how Gantry starts.
        foreach (var name in new[] { "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "GANTRY_BOOTSTRAP_ADMIN_PASSWORD" })
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in stage.Environment)
        {
            info.Environment[name] = published.Map(value, data.Path);
        }

        info.Environment["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var healthz = await PollAsync(http, "/healthz", process);
            Assert.True(healthz == HttpStatusCode.OK, $"/healthz answered {healthz}");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
            Assert.True(File.Exists(Path.Combine(data.Path, "gantry.db")), "the database is in the data folder");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }

        Assert.DoesNotContain("Unhandled exception", await stderr + await stdout, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode?> PollAsync(HttpClient http, string path, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                return (await http.GetAsync(new Uri(path, UriKind.Relative))).StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200);
            }
        }

        return null;
    }

    /// <summary>The server published once, with the Dockerfile's own <c>dotnet publish</c> line.</summary>
    public sealed class Published : IAsyncLifetime, IDisposable
    {
        private readonly TempFolder _folder = new("gantry-publish");

        public string Folder => _folder.Path;

        /// <summary>An image path (<c>/app/...</c>, <c>/data</c>) as the test runs it.</summary>
        public string Map(string value, string dataFolder) =>
            value == "/data" ? dataFolder : value.StartsWith("/app", StringComparison.Ordinal) ? Folder + value["/app".Length..] : value;

        public async Task InitializeAsync()
        {
            var publish = Dockerfile.Load().Stages[0].Lines.Single(l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal));
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = InteropFiles.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in publish["RUN dotnet ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                // The image restores in a layer of its own; here the restore is part of the publish.
                if (argument != "--no-restore")
                {
                    info.ArgumentList.Add(argument == "/app" ? Folder : argument);
                }
            }

            info.ArgumentList.Add("-nologo");
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', info.ArgumentList)} failed:\n{await output}\n{await error}");
        }

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose() => _folder.Dispose();
    }

    /// <summary>The Dockerfile's stages, with line continuations joined and comments dropped.</summary>
    private sealed partial record Dockerfile(IReadOnlyList<Stage> Stages)
    {
        public Stage FinalStage => Stages[^1];

        public static Dockerfile Load()
        {
            var text = File.ReadAllText(InteropFiles.InRepository("Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
            var stages = new List<List<string>>();
            foreach (var line in text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                if (line.StartsWith("FROM ", StringComparison.Ordinal))
                {
                    stages.Add([]);
                }

                stages[^1].Add(line);
            }

            return new Dockerfile([.. stages.Select(s => new Stage(s))]);
        }
    }

    private sealed partial record Stage(IReadOnlyList<string> Lines)
    {
        public string From => Lines[0].Split(' ')[1];

        public string? User => Lines.LastOrDefault(l => l.StartsWith("USER ", StringComparison.Ordinal))?["USER ".Length..].Trim();

        public string WorkingDirectory => Lines.Last(l => l.StartsWith("WORKDIR ", StringComparison.Ordinal))["WORKDIR ".Length..].Trim();

        public List<string> EntryPoint => ExecForm("ENTRYPOINT");

        public List<string> Command => ExecForm("CMD");

        public Dictionary<string, string> Environment =>
            Lines.Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
                .SelectMany(l => EnvPair().Matches(l["ENV ".Length..]))
                .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

        // The exec (JSON) form only: the shell form would run through /bin/sh and miss signals.
        private List<string> ExecForm(string instruction) =>
            JsonSerializer.Deserialize<List<string>>(Lines.Single(l => l.StartsWith(instruction + " ", StringComparison.Ordinal))[(instruction.Length + 1)..])!;

        [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")]
        private static partial Regex EnvPair();
    }
}
