using System.Net;
using System.Text;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;

namespace Gantry.Server.Tests.Instances;

/// <summary><c>If-None-Match: *</c> on a PUT: a create that never replaces an instance of the same name.</summary>
public sealed class InstanceCreateOnlyTests(InstanceWorld world) : IClassFixture<InstanceWorld>
{
    private const string Base = $"/api/v1/tenants/{InstanceWorld.Tenant}/instances";

    [Fact]
    public async Task Concurrent_creates_with_if_none_match_star_have_exactly_one_winner_and_the_rest_change_nothing()
    {
        var attempts = Enumerable.Range(1, 4).Select(replicas => CreateOnlyAsync("create-only", replicas, "*"));
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.Status == HttpStatusCode.Created);
        var losers = results.Where(r => r.Status != HttpStatusCode.Created).ToList();
        Assert.All(losers, r => Assert.Equal(HttpStatusCode.PreconditionFailed, r.Status));
        Assert.All(losers, r => Assert.Contains("exists already; If-None-Match: * creates only", r.Body, StringComparison.Ordinal));

        var history = await world.As("operator").GetAsync($"{Base}/create-only/history").ExpectAsync(HttpStatusCode.OK);
        var revision = JsonDocument.Parse(winner.Body).RootElement.GetProperty("revision").GetString();
        Assert.Equal(revision, Assert.Single(history.GetProperty("items").EnumerateArray()).GetProperty("revision").GetString());
    }

    [Fact]
    public async Task If_none_match_with_an_entity_tag_is_refused_by_name()
    {
        var answer = await CreateOnlyAsync("tagged", 1, "\"abc\"");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("If-None-Match", answer.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await world.As("operator").GetAsync($"{Base}/tagged")).StatusCode);
    }

    private async Task<(HttpStatusCode Status, string Body)> CreateOnlyAsync(string name, int replicas, string ifNoneMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{Base}/{name}")
        {
            Content = new StringContent($$$"""{"offering": "qdrant", "values": {"replicaCount": {{{replicas}}}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        using var response = await world.As("operator").SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
