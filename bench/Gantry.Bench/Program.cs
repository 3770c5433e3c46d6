using System.Globalization;
using Gantry.Bench;

// dotnet run -c Release --project bench/Gantry.Bench -- engine --instances 1000,20000,100000 --json results.json
// dotnet run -c Release --project bench/Gantry.Bench -- api --instances 10000,100000 --json api.json
// dotnet run -c Release --project bench/Gantry.Bench -- ui --instances 1000 --loads 20 --json ui.json
// dotnet run -c Release --project bench/Gantry.Bench -- fuzz --requests 50000 --json fuzz.json
// dotnet run -c Release --project bench/Gantry.Bench -- ha --clients 64 --seconds 20 --kill-trials 200 --json ha.json
if (args is ["seal", ..])
{
    int Option(string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    new SealBenchmark(Option("--bits", 4096), Option("--seconds", 5), Option("--threads", Environment.ProcessorCount)).Run();
    return 0;
}

if (args is ["api", ..])
{
    var api = new ApiOptions();
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        switch (args[i])
        {
            case "--instances": api.Instances = args[i + 1].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); break;
            case "--clients": api.Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--seconds": api.Seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--per-tenant": api.PerTenant = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--sealing-key-bits": api.SealingKeyBits = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--key-pool": api.KeyPool = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--set" when args[i + 1].Split('=', 2) is [var key, var value]: api.Settings[key] = value; break;
            case "--json": api.JsonPath = args[i + 1]; break;
            case "--memory-limit": api.MemoryLimitMb = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }

    await new ApiBenchmark(api).RunAsync();
    return 0;
}

if (args is ["ui", ..])
{
    var ui = new UiOptions();
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        switch (args[i])
        {
            case "--instances": ui.Instances = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--loads": ui.Loads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--clients": ui.Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--json": ui.JsonPath = args[i + 1]; break;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }

    return await new UiBenchmark(ui).RunAsync();
}

if (args is ["fuzz", ..])
{
    var fuzz = new FuzzOptions();
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        switch (args[i])
        {
            case "--requests": fuzz.Requests = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--clients": fuzz.Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--round": fuzz.Round = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--json": fuzz.JsonPath = args[i + 1]; break;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }

    await new FuzzBenchmark(fuzz).RunAsync();
    return 0;
}

if (args is ["ha", ..])
{
    var ha = new HaOptions();
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        switch (args[i])
        {
            case "--clients": ha.Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--seconds": ha.Seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--tenants": ha.Tenants = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--per-tenant": ha.PerTenant = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--kill-trials": ha.KillTrials = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--json": ha.JsonPath = args[i + 1]; break;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }

    await new HaBenchmark(ha).RunAsync();
    return 0;
}

if (args is ["rollout", ..])
{
    var rollout = new RolloutOptions();
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        switch (args[i])
        {
            case "--instances": rollout.Instances = args[i + 1].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); break;
            case "--per-tenant": rollout.PerTenant = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--clients": rollout.Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }

    await new RolloutBenchmark(rollout).RunAsync();
    return 0;
}

if (args is ["environments", ..])
{
    int Option(string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    var json = Array.IndexOf(args, "--json") is var j and >= 0 && j + 1 < args.Length ? args[j + 1] : null;
    await new EnvironmentBenchmark(Option("--claims", 1_000), json).RunAsync();
    return 0;
}

if (args is ["status", ..])
{
    var status = new StatusOptions();
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        switch (args[i])
        {
            case "--instances": status.Instances = args[i + 1].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); break;
            case "--tenants": status.Tenants = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--clients": status.Clients = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--streams": status.Streams = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--seconds": status.Seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            case "--json": status.JsonPath = args[i + 1]; break;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }

    await new StatusBenchmark(status).RunAsync();
    return 0;
}

if (args.Length == 0 || args[0] != "engine")
{
    Console.Error.WriteLine("""
        usage: Gantry.Bench seal [--bits 4096] [--seconds 5] [--threads N]
               Gantry.Bench api [--instances 10000,100000] [--clients 64] [--seconds 10] [--per-tenant 100]
                   [--sealing-key-bits 2048] [--key-pool 64] [--memory-limit MIB] [--set KEY=VALUE] [--json FILE]
               Gantry.Bench ui [--instances 1000] [--loads 20] [--clients 16] [--json FILE]
               Gantry.Bench fuzz [--requests 50000] [--clients 8] [--round 500] [--json FILE]
               Gantry.Bench rollout [--instances 500,10000] [--per-tenant 100] [--clients 32]
               Gantry.Bench environments [--claims 1000] [--json FILE]
               Gantry.Bench status [--instances 1000,10000] [--tenants 10] [--clients 64] [--streams 1000] [--seconds 10] [--json FILE]
               Gantry.Bench engine [--instances 1000,20000,100000] [--json FILE] [--writers 256] [--seconds 8]
                                   [--naive-changes 20] [--approaches gantry-local,gantry-remote,naive-git-cli]
                                   [--layout fanout|flat] [--mode PerChange|PerBatch] [--batch 512]
        """);
    return 2;
}

var options = new EngineOptions();
for (var i = 1; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--instances": options.Instances = value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--json": options.JsonPath = value; break;
        case "--writers": options.Writers = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seconds": options.Seconds = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--naive-changes": options.NaiveChanges = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--approaches": options.Approaches = value.Split(','); break;
        case "--layout": options.FlatLayout = value == "flat"; break;
        case "--mode": options.Mode = Enum.Parse<Gantry.Git.GitCommitMode>(value, ignoreCase: true); break;
        case "--batch": options.MaxBatchSize = int.Parse(value, CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }

    i++;
}

await new EngineBenchmark(options).RunAsync();
return 0;
