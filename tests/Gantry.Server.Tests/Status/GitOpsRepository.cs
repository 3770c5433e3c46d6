using System.Globalization;
using Gantry.Core.Rendering;
using Gantry.Git.Testing;

namespace Gantry.Server.Tests.Status;

/// <summary>
/// A temp bare repository with a working clone, where tests commit HelmReleases and Applications at Gantry's paths
/// (<see cref="GitOpsLayout"/>) and push them, as Gantry would, for the test engine to read.
/// </summary>
public sealed class GitOpsRepository : IDisposable
{
    private readonly Gantry.Testing.TempFolder _folder = new("gantry-engine");

    public GitOpsRepository()
    {
        GitCli.InitBare(Bare);
        Directory.CreateDirectory(Work);
        GitCli.Run(Work, "init", "--quiet", "--initial-branch=main");
    }

    public string Bare => _folder.Combine("state.git");

    private string Work => _folder.Combine("work");

    public static string HelmReleasePath(string tenant, string instance) => $"{GitOpsLayout.FluxRelease(tenant, instance)}/helmrelease.yaml";

    public static string HelmRelease(string tenant, string instance, long generation, string version) => $"""
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: {instance}
          namespace: {tenant}
          annotations:
            event.toolkit.fluxcd.io/gantry-tenant: {tenant}
            event.toolkit.fluxcd.io/gantry-instance: {instance}
            event.toolkit.fluxcd.io/gantry-generation: "{generation.ToString(CultureInfo.InvariantCulture)}"
        spec:
          releaseName: {instance}
          targetNamespace: {tenant}-apps
          chart:
            spec:
              chart: qdrant
              version: {version}
              sourceRef:
                kind: HelmRepository
                name: qdrant
        """;

    public static string Application(string tenant, string instance, long generation, string version) => $"""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: {tenant}-{instance}
          namespace: argocd
          annotations:
            gantry.dev/tenant: {tenant}
            gantry.dev/instance: {instance}
            gantry.dev/generation: "{generation.ToString(CultureInfo.InvariantCulture)}"
        spec:
          project: {tenant}
          source:
            repoURL: https://qdrant.github.io/qdrant-helm
            chart: qdrant
            targetRevision: {version}
            helm:
              releaseName: {instance}
          destination:
            server: https://kubernetes.default.svc
            namespace: {tenant}-apps
        """;

    /// <summary>Writes (or with null text deletes) files, commits and pushes to main; returns the new commit.</summary>
    public string Commit(params (string Path, string? Text)[] files)
    {
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(Work, path);
            if (text is null)
            {
                File.Delete(full);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        GitCli.Run(Work, "add", "--all");
        GitCli.Run(Work, "commit", "--quiet", "--allow-empty", "-m", "change");
        GitCli.Run(Work, "push", "--quiet", Bare, "HEAD:refs/heads/main");
        return GitCli.Run(Work, "rev-parse", "HEAD").Trim();
    }

    public void Dispose() => _folder.Dispose();
}
