using System.Diagnostics;

namespace Gantry.Core.Diagnostics;

/// <summary>
/// Gantry's own spans, under the request's: the steps of a change (validate, render, commit, push) and what they
/// produced. Nothing is recorded unless a listener is attached (the OTLP exporter when an endpoint is configured).
/// </summary>
public static class GantryTracing
{
    public const string SourceName = "Gantry";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>Tag names: OpenTelemetry's where one exists (<c>vcs.*</c>), else under <c>gantry.</c>.</summary>
    public static class Tags
    {
        public const string Tenant = "gantry.tenant";
        public const string Offering = "gantry.offering";
        public const string Commit = "vcs.ref.head.revision";
        public const string BatchSize = "gantry.git.batch.size";
        public const string Outcome = "gantry.outcome";
    }
}
