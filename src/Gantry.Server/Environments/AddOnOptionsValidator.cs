using System.Text.RegularExpressions;
using Gantry.Core.Environments;
using Gantry.Core.Validation;

namespace Gantry.Server.Environments;

/// <summary>Checks the add-ons and the DNS zone at start; every message names the bad key.</summary>
internal static partial class AddOnOptionsValidator
{
    public static IEnumerable<string> Validate(EnvironmentPolicies policies)
    {
        if (!DnsName().IsMatch(policies.DnsZone))
        {
            yield return "Environments:DnsZone must be a DNS name (example.com).";
        }

        var releases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var addOn in policies.AddOns)
        {
            var key = $"Environments:AddOns:{addOn.Name}";
            if (!ResourceName.IsDns1123Label(addOn.Name))
            {
                yield return $"{key}: an add-on name is a DNS-1123 label.";
            }

            if (!Variable().IsMatch(addOn.Variable))
            {
                yield return $"{key}:Variable must be an environment variable name (LOGGING_ENDPOINT).";
            }

            if (!IsUrl(addOn.SharedEndpoint))
            {
                yield return $"{key}:SharedEndpoint must be an absolute URL.";
            }

            if (!IsUrl(addOn.DedicatedEndpoint.Replace(AddOnPolicy.NamespacePlaceholder, "namespace", StringComparison.Ordinal)))
            {
                yield return $"{key}:DedicatedEndpoint must be an absolute URL ({AddOnPolicy.NamespacePlaceholder} stands for the environment's namespace).";
            }

            if (addOn.Types.Keys.FirstOrDefault(t => policies.Type(t) is null) is { } unknown)
            {
                yield return $"{key}:Types: '{unknown}' is not an environment type.";
            }

            if (addOn.Charts.Count == 0 && addOn.Types.Values.Contains(AddOnMode.Dedicated))
            {
                yield return $"{key}:Charts: a dedicated add-on needs at least one chart.";
            }

            foreach (var chart in addOn.Charts)
            {
                var chartKey = $"{key}:Charts:{chart.Name}";
                if (!ResourceName.IsDns1123Label(chart.Name) || !releases.Add(chart.Name))
                {
                    yield return $"{chartKey}: a chart's release name is a DNS-1123 label, unique across the add-ons.";
                }

                if (!Uri.TryCreate(chart.Repository, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http" or "oci"))
                {
                    yield return $"{chartKey}:Repository must be an https:// Helm repository or an oci:// reference.";
                }

                if (!ResourceName.IsDns1123Label(chart.Chart) || string.IsNullOrWhiteSpace(chart.Version))
                {
                    yield return $"{chartKey}: Chart (a name) and Version are required.";
                }
            }
        }
    }

    private static bool IsUrl(string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    [GeneratedRegex("^[A-Z_][A-Z0-9_]*$")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$")]
    private static partial Regex DnsName();
}
