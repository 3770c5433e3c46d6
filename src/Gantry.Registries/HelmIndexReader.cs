using Gantry.Core.Versions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gantry.Registries;

/// <summary>
/// Pulls one chart's versions out of a Helm <c>index.yaml</c> (or its JSON form) without building the whole index:
/// <c>apiVersion</c> must be present (Helm's ErrNoAPIVersion), <c>entries.&lt;chart&gt;[].version</c> is read,
/// entries marked <c>removed: true</c> are skipped, everything else is passed over.
/// </summary>
internal static class HelmIndexReader
{
    public static IReadOnlyList<string> ReadVersions(byte[] index, string chart, string source)
    {
        try
        {
            using var reader = new StreamReader(new MemoryStream(index));
            var parser = new Parser(reader);
            parser.Consume<StreamStart>();
            if (!parser.TryConsume<DocumentStart>(out _) || !parser.TryConsume<MappingStart>(out _))
            {
                throw new TagSourceException(source, "index.yaml is not a YAML mapping");
            }

            string? apiVersion = null;
            List<string>? versions = null;
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>().Value;
                if (key == "apiVersion" && parser.TryConsume<Scalar>(out var value))
                {
                    apiVersion = value.Value;
                }
                else if (key == "entries")
                {
                    versions = ReadEntries(parser, chart);
                }
                else
                {
                    parser.SkipThisAndNestedEvents();
                }
            }

            if (string.IsNullOrEmpty(apiVersion))
            {
                throw new TagSourceException(source, "index.yaml has no apiVersion");
            }

            return versions ?? throw new TagSourceException(source, "the repository's index.yaml does not list this chart") { StatusCode = 404 };
        }
        catch (YamlException e)
        {
            throw new TagSourceException(source, $"index.yaml is not valid YAML (line {e.Start.Line}): {e.Message}", e);
        }
    }

    private static List<string>? ReadEntries(IParser parser, string chart)
    {
        List<string>? versions = null;
        if (!parser.TryConsume<MappingStart>(out _))
        {
            parser.SkipThisAndNestedEvents();
            return null;
        }

        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var name = parser.Consume<Scalar>().Value;
            if (name == chart && parser.TryConsume<SequenceStart>(out _))
            {
                versions = [];
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    if (ReadChartVersion(parser) is { } version)
                    {
                        versions.Add(version);
                    }
                }
            }
            else
            {
                parser.SkipThisAndNestedEvents();
            }
        }

        return versions;
    }

    private static string? ReadChartVersion(IParser parser)
    {
        if (!parser.TryConsume<MappingStart>(out _))
        {
            parser.SkipThisAndNestedEvents();
            return null;
        }

        string? version = null;
        var removed = false;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>().Value;
            if (key is "version" or "removed" && parser.TryConsume<Scalar>(out var value))
            {
                if (key == "version")
                {
                    version = value.Value;
                }
                else
                {
                    removed = string.Equals(value.Value, "true", StringComparison.OrdinalIgnoreCase);
                }
            }
            else
            {
                parser.SkipThisAndNestedEvents();
            }
        }

        return removed || string.IsNullOrEmpty(version) ? null : version;
    }
}
