using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gantry.Client;

namespace Gantry.Cli.Tests;

/// <summary>
/// Gantry.Client against the server's own OpenAPI document: every public call of <see cref="GantryClient"/> is made
/// against the real server through a recording handler, and each request it sent must be an operation of the
/// document with the same method and path template, query parameters and headers the operation declares, and body
/// members its request schema names. A call added to the client without being exercised here fails the test too.
/// </summary>
[Collection(SharedGantryServer.Name)]
public sealed class ClientContractTests(GantryServer server)
{
    /// <summary>Headers HTTP itself gives meaning to; any other header the client sends must be declared.</summary>
    private static readonly HashSet<string> ProtocolHeaders = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "Accept", "Last-Event-ID" };

    [Fact]
    public async Task Every_request_the_client_makes_is_an_operation_of_the_servers_openapi_document()
    {
        using var http = new HttpClient { BaseAddress = server.Url };
        var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement;
        var recorder = new RecordingHandler(new SocketsHttpHandler());
        var called = await ExerciseEveryCallAsync(recorder);

        var missing = typeof(GantryClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal)).Select(m => m.Name).Distinct().Except(called).Order().ToList();
        Assert.True(missing.Count == 0, $"GantryClient calls not exercised by this test: {string.Join(", ", missing)}");

        var problems = recorder.Requests.SelectMany(r => Check(document, r)).Distinct().ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(recorder.Requests.Count >= called.Count, "every call sent at least one request");
    }

    private async Task<HashSet<string>> ExerciseEveryCallAsync(RecordingHandler recorder)
    {
        var called = new HashSet<string>(StringComparer.Ordinal);
        async Task Call(string name, Func<Task> call)
        {
            called.Add(name);
            try
            {
                await call();
            }
            catch (GantryApiException)
            {
                // The answer does not matter here, only what was asked.
            }
        }

        using var anonymous = GantryClient.Create(server.Url, null, recorder);
        TokenResponse? tokens = null;
        await Call(nameof(GantryClient.LoginAsync), async () => tokens = await anonymous.LoginAsync("acme-admin", GantryServer.Password));
        await Call(nameof(GantryClient.RefreshAsync), async () => tokens = await anonymous.RefreshAsync(tokens!.RefreshToken));
        await Call(nameof(GantryClient.GetServerVersionAsync), () => anonymous.GetServerVersionAsync());
        await Call(nameof(GantryClient.ListOidcProvidersAsync), () => anonymous.ListOidcProvidersAsync());
        var pool = await anonymous.LoginAsync(GantryServer.PoolUser, GantryServer.Password);

        using var acme = GantryClient.Create(server.Url, new StaticCredentials(tokens!.AccessToken), recorder);
        const string tenant = GantryServer.Tenant;
        await Call(nameof(GantryClient.WhoAmIAsync), () => acme.WhoAmIAsync());
        await Call(nameof(GantryClient.ListOfferingsAsync), () => acme.ListOfferingsAsync());
        await Call(nameof(GantryClient.GetOfferingAsync), () => acme.GetOfferingAsync("qdrant"));
        var request = new InstanceRequest { Offering = "qdrant", Version = "^1.12.0", Values = new JsonObject { ["replicaCount"] = 1 }, Secrets = new Dictionary<string, string>() };
        await Call(nameof(GantryClient.PlanInstanceAsync), () => acme.PlanInstanceAsync(tenant, "contract1", request, ifMatch: "*"));
        await Call(nameof(GantryClient.PutInstanceAsync), () => acme.PutInstanceAsync(tenant, "contract1", request, new WaitFor(TimeSpan.FromSeconds(1))));
        await Call(nameof(GantryClient.GetInstanceAsync), () => acme.GetInstanceAsync(tenant, "contract1"));
        await Call(nameof(GantryClient.ListInstancesAsync), () => acme.ListInstancesAsync(tenant, new InstanceQuery { Offering = "qdrant", Phase = "Committed", Prefix = "c", After = "a", Limit = 10 }));
        await Call(nameof(GantryClient.ListAllInstancesAsync), async () => await acme.ListAllInstancesAsync(tenant).CountAsync());
        await Call(nameof(GantryClient.ScaleInstanceAsync), () => acme.ScaleInstanceAsync(tenant, "contract1", 2, new WaitFor(TimeSpan.FromSeconds(1))));
        await Call(nameof(GantryClient.RotateCredentialsAsync), () => acme.RotateCredentialsAsync(tenant, "contract1", ["api-key"]));
        var history = await acme.GetInstanceHistoryAsync(tenant, "contract1");
        await Call(nameof(GantryClient.GetInstanceHistoryAsync), () => acme.GetInstanceHistoryAsync(tenant, "contract1", limit: 1, cursor: history.Items[^1].Revision));
        await Call(nameof(GantryClient.DiffInstanceAsync), () => acme.DiffInstanceAsync(tenant, "contract1", history.Items[^1].Revision, history.Items[0].Revision));
        await Call(nameof(GantryClient.RollbackInstanceAsync), () => acme.RollbackInstanceAsync(tenant, "contract1", history.Items[^1].Revision, new WaitFor(TimeSpan.FromSeconds(1))));
        await Call(nameof(GantryClient.GetInstanceEventsAsync), () => acme.GetInstanceEventsAsync(tenant, "contract1", before: long.MaxValue, limit: 5));
        await Call(nameof(GantryClient.StreamStatusEventsAsync), async () =>
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await foreach (var _ in acme.StreamStatusEventsAsync(tenant, "contract1", lastEventId: 0, stop.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        await Call(nameof(GantryClient.PinInstanceAsync), () => acme.PinInstanceAsync(tenant, "contract1", new PinRequest("contract test", null, DateTimeOffset.UtcNow.AddDays(1))));
        await Call(nameof(GantryClient.UnpinInstanceAsync), () => acme.UnpinInstanceAsync(tenant, "contract1"));
        var rollout = new JsonObject { ["offering"] = "qdrant", ["change"] = new JsonObject { ["version"] = "^1.12.0" }, ["selector"] = new JsonObject { ["tenants"] = new JsonArray("acme") } };
        await Call(nameof(GantryClient.PreviewRolloutAsync), () => acme.PreviewRolloutAsync(rollout));
        await Call(nameof(GantryClient.StartRolloutAsync), () => acme.StartRolloutAsync(rollout));
        await Call(nameof(GantryClient.ListRolloutsAsync), () => acme.ListRolloutsAsync(limit: 5));
        await Call(nameof(GantryClient.GetRolloutAsync), () => acme.GetRolloutAsync("0196a3b2-0000-7000-8000-000000000000"));
        await Call(nameof(GantryClient.SteerRolloutAsync), () => acme.SteerRolloutAsync("0196a3b2-0000-7000-8000-000000000000", "pause"));
        await Call(nameof(GantryClient.DeleteInstanceAsync), () => acme.DeleteInstanceAsync(tenant, "contract1"));
        await Call(nameof(GantryClient.RevokeAsync), () => acme.RevokeAsync(tokens.RefreshToken));

        using var team = GantryClient.Create(server.Url, new StaticCredentials(pool.AccessToken), recorder);
        var claim = new EnvironmentClaimRequest
        {
            EnvironmentName = "sue-team1-contract", EnvironmentType = "sue", EnvironmentPool = GantryServer.Pool, User = GantryServer.PoolUser,
            ExpirationDate = DateTimeOffset.UtcNow.AddHours(12), DeploymentMethod = "bucket", DeployOnlySpecified = true,
            Services = [new EnvironmentServiceSpec { Name = "user-service", Version = "^1.2.0", NodePool = "spot", DockerImage = "registry.example.com/u", AnsibleArtifact = "registry.example.com/u-ansible:v1" }],
        };
        await Call(nameof(GantryClient.CreateEnvironmentAsync), () => team.CreateEnvironmentAsync(claim));
        await Call(nameof(GantryClient.ListEnvironmentsAsync), () => team.ListEnvironmentsAsync(new EnvironmentQuery
        {
            Type = "sue", Pool = GantryServer.Pool, User = GantryServer.PoolUser, Service = "user-service", ExpiringBefore = DateTimeOffset.UtcNow.AddDays(2), Text = "contract", After = "a", Limit = 10,
        }));
        await Call(nameof(GantryClient.ListAllEnvironmentsAsync), async () => await team.ListAllEnvironmentsAsync().CountAsync());
        await Call(nameof(GantryClient.GetEnvironmentAsync), () => team.GetEnvironmentAsync("sue-team1-contract"));
        await Call(nameof(GantryClient.GetEnvironmentEventsAsync), () => team.GetEnvironmentEventsAsync("sue-team1-contract", before: long.MaxValue, limit: 5));
        await Call(nameof(GantryClient.PatchEnvironmentAsync), () => team.PatchEnvironmentAsync("sue-team1-contract",
            new EnvironmentPatch { Services = new JsonObject { ["auth-service"] = "^2.1.0" }, DeployOnlySpecified = true }, ifMatch: "x"));
        await Call(nameof(GantryClient.ExtendEnvironmentAsync), () => team.ExtendEnvironmentAsync("sue-team1-contract", DateTimeOffset.UtcNow.AddHours(20)));
        await Call(nameof(GantryClient.RefreshEnvironmentAsync), () => team.RefreshEnvironmentAsync("sue-team1-contract"));
        await Call(nameof(GantryClient.DeleteEnvironmentAsync), () => team.DeleteEnvironmentAsync("sue-team1-contract"));

        // No registry on the shared server: 404, but the requests are what the document declares.
        await Call(nameof(GantryClient.GetRegistryAsync), () => team.GetRegistryAsync());
        await Call(nameof(GantryClient.GetRegistryTokenAsync), () => team.GetRegistryTokenAsync("registry", "repository:team1-dev-local/app:push,pull"));

        // Last: the admin calls dispose the recording handler with their client.
        await ExerciseAdminCallsAsync(recorder, anonymous, Call);
        return called;
    }

    /// <summary>The administration calls, as the platform administrator: tenants, users, members, API keys and clusters.</summary>
    private static async Task ExerciseAdminCallsAsync(RecordingHandler recorder, GantryClient anonymous, Func<string, Func<Task>, Task> call)
    {
        var tokens = await anonymous.LoginAsync("admin", GantryServer.AdminPassword);
        using var admin = GantryClient.Create(anonymous.Server, new StaticCredentials(tokens.AccessToken), recorder);
        var quotas = new TenantQuotas { MaxInstances = 3, MaxReplicasPerInstance = 2, AllowedOfferings = ["qdrant"], AllowedEnvironmentTypes = ["dev"] };
        await call(nameof(GantryClient.CreateTenantAsync), () => admin.CreateTenantAsync(new TenantRequest { Name = "contract-t", DisplayName = "Contract", Quotas = quotas }));
        await call(nameof(GantryClient.ListTenantsAsync), () => admin.ListTenantsAsync());
        await call(nameof(GantryClient.GetTenantAsync), () => admin.GetTenantAsync("contract-t"));
        await call(nameof(GantryClient.UpdateTenantAsync), () => admin.UpdateTenantAsync("contract-t", new TenantPatch { DisplayName = "Contract 2", Quotas = quotas }));
        User? user = null;
        await call(nameof(GantryClient.CreateUserAsync), async () => user = await admin.CreateUserAsync(
            new UserRequest { Username = "contract-u", Password = GantryServer.Password, Email = "contract-u@example.com", IsPlatformAdmin = false }));
        await call(nameof(GantryClient.ListUsersAsync), () => admin.ListUsersAsync());
        await call(nameof(GantryClient.GetUserAsync), () => admin.GetUserAsync(user!.Id));
        await call(nameof(GantryClient.UpdateUserAsync), () => admin.UpdateUserAsync(user!.Id, new UserPatch { Email = "u2@example.com", Password = GantryServer.Password + "!", IsPlatformAdmin = false }));
        await call(nameof(GantryClient.SetMemberAsync), () => admin.SetMemberAsync("contract-t", user!.Id, "viewer"));
        await call(nameof(GantryClient.ListMembersAsync), () => admin.ListMembersAsync("contract-t"));
        await call(nameof(GantryClient.RemoveMemberAsync), () => admin.RemoveMemberAsync("contract-t", user!.Id));
        CreatedApiKey? key = null;
        await call(nameof(GantryClient.CreateApiKeyAsync), async () => key = await admin.CreateApiKeyAsync("contract-t",
            new ApiKeyRequest { Name = "ci", Role = "operator", ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) }));
        await call(nameof(GantryClient.ListApiKeysAsync), () => admin.ListApiKeysAsync("contract-t"));
        await call(nameof(GantryClient.RevokeApiKeyAsync), () => admin.RevokeApiKeyAsync("contract-t", key!.ApiKey.Id));
        await call(nameof(GantryClient.RegisterClusterAsync), () => admin.RegisterClusterAsync(new ClusterRequest("contract-c", "flux", ["contract-t"], "http://flux.example.com/hook")));
        await call(nameof(GantryClient.ListClustersAsync), () => admin.ListClustersAsync());
        await call(nameof(GantryClient.GetClusterAsync), () => admin.GetClusterAsync("contract-c"));
        await call(nameof(GantryClient.UpdateClusterAsync), () => admin.UpdateClusterAsync("contract-c", new ClusterUpdate(["contract-t"], string.Empty)));
        await call(nameof(GantryClient.RotateClusterSecretAsync), () => admin.RotateClusterSecretAsync("contract-c"));
        await call(nameof(GantryClient.GetClusterSetupAsync), () => admin.GetClusterSetupAsync("contract-c"));
        await call(nameof(GantryClient.DeleteClusterAsync), () => admin.DeleteClusterAsync("contract-c"));
        await call(nameof(GantryClient.DeleteUserAsync), () => admin.DeleteUserAsync(user!.Id));
        await call(nameof(GantryClient.DeleteTenantAsync), () => admin.DeleteTenantAsync("contract-t"));
    }

    /// <summary>What is wrong with one request by the document; empty when it is an operation as declared.</summary>
    private static IEnumerable<string> Check(JsonElement document, RecordedRequest request)
    {
        var method = request.Method.ToLowerInvariant();
        var template = document.GetProperty("paths").EnumerateObject()
            .Where(p => Matches(p.Name, request.Path))
            .OrderByDescending(p => p.Name.Split('/').Count(s => !s.StartsWith('{')))
            .Select(p => (JsonElement?)p.Value).FirstOrDefault();
        var what = $"{request.Method} {request.Path}";
        if (template is not { } path)
        {
            yield return $"{what}: no path of the document matches";
            yield break;
        }

        if (!path.TryGetProperty(method, out var operation))
        {
            yield return $"{what}: the path has no {request.Method} operation";
            yield break;
        }

        var parameters = (operation.TryGetProperty("parameters", out var p) ? p.EnumerateArray() : default)
            .Select(x => (In: x.GetProperty("in").GetString(), Name: x.GetProperty("name").GetString()!)).ToList();
        foreach (var query in request.Query.Where(q => !parameters.Contains(("query", q))))
        {
            yield return $"{what}: query parameter '{query}' is not declared";
        }

        foreach (var header in request.Headers.Where(h => !ProtocolHeaders.Contains(h)
                     && !parameters.Any(x => x.In == "header" && string.Equals(x.Name, h, StringComparison.OrdinalIgnoreCase))))
        {
            yield return $"{what}: header '{header}' is not declared";
        }

        if (request.BodyMembers is null)
        {
            yield break;
        }

        if (!operation.TryGetProperty("requestBody", out var body) || !body.GetProperty("content").TryGetProperty(request.ContentType!, out var content))
        {
            yield return $"{what}: sends {request.ContentType}, which the operation does not take";
            yield break;
        }

        if (Resolve(document, content.GetProperty("schema")) is { } schema && schema.TryGetProperty("properties", out var properties))
        {
            foreach (var member in request.BodyMembers.Where(m => !properties.TryGetProperty(m, out _)))
            {
                yield return $"{what}: body member '{member}' is not in the request schema";
            }
        }
    }

    private static bool Matches(string template, string path) =>
        Regex.IsMatch(path, "^" + string.Concat(template.Split('/').Select((s, i) => (i == 0 ? string.Empty : "/") + (s.StartsWith('{') ? "[^/]+" : Regex.Escape(s)))) + "$");

    private static JsonElement? Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;

    private sealed record RecordedRequest(string Method, string Path, IReadOnlyList<string> Query, IReadOnlyList<string> Headers, string? ContentType, IReadOnlyList<string>? BodyMembers);

    private sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public List<RecordedRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var query = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => Uri.UnescapeDataString(p.Split('=')[0])).ToList();
            var headers = request.Headers.Select(h => h.Key).ToList();
            string? contentType = null;
            List<string>? members = null;
            if (request.Content is not null)
            {
                contentType = request.Content.Headers.ContentType?.MediaType;
                var text = await request.Content.ReadAsStringAsync(cancellationToken);
                members = contentType == "application/json"
                    ? JsonNode.Parse(text) is JsonObject o ? [.. o.Select(m => m.Key)] : []
                    : [.. text.Split('&').Select(p => Uri.UnescapeDataString(p.Split('=')[0]))];
            }

            lock (Requests)
            {
                Requests.Add(new RecordedRequest(request.Method.Method, uri.AbsolutePath, query, headers, contentType, members));
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
