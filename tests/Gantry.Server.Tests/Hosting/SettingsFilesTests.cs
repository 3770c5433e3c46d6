using Gantry.Server.Hosting;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;

namespace Gantry.Server.Tests.Hosting;

/// <summary>The settings files read at start meet the JSON input rules; a broken one stops the start naming file, line and byte.</summary>
public sealed class SettingsFilesTests : IDisposable
{
    private readonly TempFolder _folder = new("gantry-settings");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Comments_and_trailing_commas_are_settings_as_usual()
    {
        File.WriteAllText(_folder.Combine("appsettings.json"), "{\n  // the defaults\n  \"Gantry\": { \"DataDir\": \"./data\", },\n}");

        Assert.Null(SettingsFiles.FindProblem(_folder.Path, []));
    }

    [Fact]
    public void A_duplicate_key_is_refused_naming_the_file_line_and_byte()
    {
        File.WriteAllText(_folder.Combine("appsettings.json"), "{\n  \"Gantry\": {\n    \"DataDir\": \"a\",\n    \"DataDir\": \"b\"\n  }\n}");

        var problem = SettingsFiles.FindProblem(_folder.Path, []);

        Assert.Equal($"{_folder.Combine("appsettings.json")}, line 4, byte 5: 'Gantry.DataDir' is given twice; each key may appear once in an object. Fix the settings file.", problem);
    }

    [Fact]
    public void The_environment_file_named_on_the_command_line_is_checked()
    {
        File.WriteAllText(_folder.Combine("appsettings.json"), "{}");
        File.WriteAllBytes(_folder.Combine("appsettings.Staging.json"), [.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8]);

        Assert.Contains("appsettings.Staging.json, line 1, byte 6: 'a' is not valid UTF-8", SettingsFiles.FindProblem(_folder.Path, ["--environment", "Staging"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_settings_file_stops_the_real_start_with_exit_2_and_no_stack_trace()
    {
        // The server reads its settings beside its binary: a one-off environment name keeps other tests' starts apart.
        var environment = $"Broken{Guid.NewGuid():N}";
        var file = Path.Combine(AppContext.BaseDirectory, $"appsettings.{environment}.json");
        await File.WriteAllTextAsync(file, "{ \"Gantry\": { \"Replicas\": 99999999999999999999 } }");
        try
        {
            await using var server = ServerProcess.Start(["--data-dir", _folder.Combine("data"), "--environment", environment]);

            Assert.Equal(2, await server.WaitForExitAsync());
            var error = server.StandardError.Trim();
            Assert.Contains($"gantry: cannot start: {file}, line 1, byte 27: 'Gantry.Replicas' is 99999999999999999999, out of range", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
