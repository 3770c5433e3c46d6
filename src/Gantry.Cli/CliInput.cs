using System.Text;
using Gantry.Core.Validation;

namespace Gantry.Cli;

/// <summary>Bounded reads of standard input and files, so hostile sizes fail fast instead of filling memory.</summary>
internal static class CliInput
{
    /// <summary>The largest input any command reads: far above any real manifest (etcd caps objects at 1.5 MiB).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    public static async Task<byte[]> ReadAllAsync(Stream stream, string what, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new CliException($"{what} is larger than {MaxBytes / (1024 * 1024)} MiB");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public static async Task<string> ReadTextAsync(Stream stream, string what, CancellationToken cancellationToken)
    {
        var bytes = await ReadAllAsync(stream, what, cancellationToken);
        if (bytes.Length == 0)
        {
            throw new CliException($"{what} is empty");
        }

        return TextPosition.FirstInvalidUtf8(bytes) is var bad and >= 0
            ? throw new CliException($"{what} is not UTF-8 text: {TextPosition.Describe(bytes, bad)} holds a byte that is not UTF-8; save it as UTF-8")
            : Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
    }

    public static async Task<byte[]> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = File.OpenRead(path);
            return await ReadAllAsync(file, $"the file {path}", cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {ex.Message}");
        }
    }

    public static async Task<string> ReadFileTextAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new MemoryStream(await ReadFileAsync(path, cancellationToken));
        return await ReadTextAsync(stream, $"the file {path}", cancellationToken);
    }

    /// <summary>The first line of standard input, without its line end (as <c>docker login --password-stdin</c>).</summary>
    public static async Task<string> ReadSecretLineAsync(Stream input, string what, CancellationToken cancellationToken)
    {
        var text = await ReadTextAsync(input, $"{what} on standard input", cancellationToken);
        var line = text.Split('\n', 2)[0].TrimEnd('\r');
        return line.Length > 0 ? line : throw new CliException($"{what} on standard input is empty");
    }
}
