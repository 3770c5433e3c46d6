using System.CommandLine;
using Gantry.Cli.Output;
using Gantry.Client;
using Spectre.Console;

namespace Gantry.Cli.Commands;

// admin clusters list|get|register|update|delete|rotate-secret|setup: where GitOps engines run. Platform administrators
// manage any cluster, tenant admins those bound to their tenants only. The setup manifests are YAML on standard output,
// to pipe to kubectl: `gantry admin clusters register c1 --engine flux --tenants acme --print-setup | kubectl apply -f -`.
internal static partial class AdminCommand
{
    private static Column<Cluster>[] ClusterColumns(CliConsole console) =>
    [
        new("NAME", c => c.Name),
        new("ENGINE", c => c.Engine),
        new("TENANTS", c => Joined(c.Tenants)),
        new("LAST-EVENT", c => c.LastEventAt is null ? "never" : Display.Age(c.LastEventAt, console.Time)),
        new("NOTIFY", c => c.NotifyUrl is null ? "-" : c.Notifications.LastFailureAt > (c.Notifications.LastSuccessAt ?? DateTimeOffset.MinValue) ? "failing" : "ok"),
        new("AGE", c => Display.Age(c.CreatedAt, console.Time)),
    ];

    private static Command Clusters(CliConsole console)
    {
        var command = new Command("clusters", "Clusters where GitOps engines run: list, get, register, update, delete, rotate-secret, setup");
        command.Aliases.Add("cluster");

        var listOutput = OutputFormats.CreateOption();
        var list = new Command("list", "The clusters you may manage") { listOutput };
        list.Aliases.Add("ls");
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var clusters = await session.Client.ListClustersAsync(cancellationToken);
            RecordWriter.WriteList(console, OutputFormats.Get(parse, listOutput), [.. clusters.OrderBy(c => c.Name, StringComparer.Ordinal)], ClusterColumns(console), c => $"cluster/{c.Name}");
            return ExitCodes.Success;
        });
        command.Subcommands.Add(list);

        var getName = new Argument<string>("name") { Description = "The cluster" };
        var getOutput = OutputFormats.CreateOption();
        var get = new Command("get", "A cluster: its tenants, webhook URL, last event and how notifying it has gone") { getName, getOutput };
        get.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            WriteCluster(console, OutputFormats.Get(parse, getOutput), await session.Client.GetClusterAsync(parse.GetValue(getName)!, cancellationToken));
            return ExitCodes.Success;
        });
        command.Subcommands.Add(get);
        command.Subcommands.Add(RegisterCluster(console));
        command.Subcommands.Add(UpdateCluster(console));
        command.Subcommands.Add(ClusterAction(console, "delete", "Remove a cluster: its events are refused from now on", [], async (client, name, _, cancellationToken) =>
        {
            await client.DeleteClusterAsync(name, cancellationToken);
            console.Done($"cluster/{name} deleted");
        }));
        var printSetup = PrintSetupOption();
        var output = OutputFormats.CreateOption();
        command.Subcommands.Add(ClusterAction(console, "rotate-secret", "Make a new webhook secret (the old one stops working) and show it with the setup, once", [printSetup, output],
            async (client, name, parse, cancellationToken) =>
                WriteSecret(console, await client.RotateClusterSecretAsync(name, cancellationToken), parse.GetValue(printSetup), OutputFormats.Get(parse, output))));

        var setupName = new Argument<string>("name") { Description = "The cluster" };
        var setup = new Command("setup", "The manifests to apply in the cluster (YAML, without the secret shown at registration): pipe to kubectl apply -f -") { setupName };
        setup.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            console.Output.Write(await session.Client.GetClusterSetupAsync(parse.GetValue(setupName)!, cancellationToken));
            return ExitCodes.Success;
        });
        command.Subcommands.Add(setup);
        return command;
    }

    private static Command RegisterCluster(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The cluster: a DNS-1123 label" };
        var engine = new Option<string>("--engine") { Description = "flux or argocd", Required = true };
        engine.AcceptOnlyFromAmong("flux", "argocd");
        var tenants = new Option<string>("--tenants") { Description = "The tenants it deploys, comma-separated", Required = true };
        var notifyUrl = new Option<string>("--notify-url") { Description = "Where its engine is told of new commits (Flux receiver or Argo CD webhook)" };
        var printSetup = PrintSetupOption();
        var output = OutputFormats.CreateOption();
        var command = new Command("register", "Register a cluster; its webhook secret and setup are shown this once (--print-setup for kubectl)")
        {
            name, engine, tenants, notifyUrl, printSetup, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var request = new ClusterRequest(parse.GetValue(name)!, parse.GetValue(engine)!, Split(parse.GetValue(tenants)) ?? [], parse.GetValue(notifyUrl));
            WriteSecret(console, await session.Client.RegisterClusterAsync(request, cancellationToken), parse.GetValue(printSetup), OutputFormats.Get(parse, output));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command UpdateCluster(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The cluster" };
        var tenants = new Option<string>("--tenants") { Description = "The tenants it deploys, comma-separated (replaces the list)" };
        var notifyUrl = new Option<string>("--notify-url") { Description = "Where its engine is told of commits; empty removes it" };
        var output = OutputFormats.CreateOption();
        var command = new Command("update", "Change the tenants a cluster deploys or its notify URL; the webhook secret stays") { name, tenants, notifyUrl, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = GantrySession.Open(console, parse);
            var cluster = await session.Client.UpdateClusterAsync(parse.GetValue(name)!, new ClusterUpdate(Split(parse.GetValue(tenants)), parse.GetValue(notifyUrl)), cancellationToken);
            var format = OutputFormats.Get(parse, output);
            if (format == OutputFormat.Table)
            {
                console.Done($"cluster/{cluster.Name} updated");
            }
            else
            {
                WriteCluster(console, format, cluster);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>delete</c> and <c>rotate-secret</c>: a cluster by name, after confirmation (both break what the cluster's engine uses).</summary>
    private static Command ClusterAction(
        CliConsole console, string verb, string description, Option[] options, Func<GantryClient, string, ParseResult, CancellationToken, Task> act)
    {
        var name = new Argument<string>("name") { Description = "The cluster" };
        var yes = YesOption();
        var command = new Command(verb, description) { name, yes };
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var cluster = parse.GetValue(name)!;
            using var session = GantrySession.Open(console, parse);
            if (!await CliConfirmation.ConfirmAsync(console, parse.GetValue(yes), $"{verb} of cluster/{cluster}",
                    $"{(verb == "delete" ? "Delete" : "Rotate the webhook secret of")} cluster [bold]{Markup.Escape(cluster)}[/]? Its engine's events are refused until it has the new setup.", cancellationToken))
            {
                return ExitCodes.Failure;
            }

            await act(session.Client, cluster, parse, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<bool> PrintSetupOption() => new("--print-setup") { Description = "Write only the setup manifests (with the secret) to standard output, for kubectl apply -f -" };

    /// <summary>A registration's or rotation's answer: the setup YAML alone (--print-setup), the record (-o json|yaml), or the fields with the secret; the notice that it is shown once on stderr.</summary>
    private static void WriteSecret(CliConsole console, ClusterSecret answer, bool printSetup, OutputFormat format)
    {
        if (printSetup)
        {
            console.Output.Write(answer.Setup.EndsWith('\n') ? answer.Setup : answer.Setup + "\n");
        }
        else if (format == OutputFormat.Table && console.Quiet)
        {
            console.Output.WriteLine(answer.WebhookSecret); // shown only now: --quiet gives it alone
            return;
        }
        else if (format == OutputFormat.Table)
        {
            WriteCluster(console, format, answer.Cluster);
            console.Output.WriteLine($"Webhook secret: {answer.WebhookSecret}");
        }
        else
        {
            WriteOne(console, format, answer, $"cluster/{answer.Cluster.Name}", []); // the notice is in the record
            return;
        }

        console.Notice(answer.Notice ?? "The webhook secret is shown only this once.");
    }

    private static void WriteCluster(CliConsole console, OutputFormat format, Cluster cluster) => WriteOne(console, format, cluster, $"cluster/{cluster.Name}",
    [
        ("Name", cluster.Name),
        ("Engine", cluster.Engine),
        ("Tenants", Joined(cluster.Tenants)),
        ("Webhook URL", cluster.WebhookUrl),
        ("Notify URL", cluster.NotifyUrl),
        ("Notifications", cluster.NotifyUrl is null ? null : $"{cluster.Notifications.Sent} sent, {cluster.Notifications.Failed} failed{(cluster.Notifications.LastError is { } e ? $", last error: {e}" : string.Empty)}"),
        ("Last event", cluster.LastEventAt is null ? "never" : When(cluster.LastEventAt, console)),
        ("Secret rotated", When(cluster.SecretRotatedAt, console)),
        ("Created", $"{When(cluster.CreatedAt, console)} by {cluster.CreatedBy}"),
    ]);
}
