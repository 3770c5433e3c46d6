using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Server.Tests.Instances;

namespace Gantry.Server.Tests.Errors;

/// <summary>
/// The error contract at the edge: hostile and malformed input answers 4xx with a problem document in words
/// (type, title, detail, errors per field, traceId), never a 500, and commits nothing.
/// </summary>
public sealed class ProblemContractTests(InstanceWorld world) : IClassFixture<InstanceWorld>
{
    private const string Base = $"/api/v1/tenants/{InstanceWorld.Tenant}/instances";

    private async Task<JsonElement> SendRawAsync(HttpMethod method, string url, byte[] body, HttpStatusCode expected, string contentType = "application/json")
    {
        var head = world.Git("rev-parse", "main").Trim();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(method, url) { Content = content };
        var response = await world.As("operator").SendAsync(request);
        var problem = await AssertProblemAsync(response, expected);
        Assert.Equal(head, world.Git("rev-parse", "main").Trim());
        return problem;
    }

    private Task<JsonElement> SendRawAsync(HttpMethod method, string url, string body, HttpStatusCode expected) =>
        SendRawAsync(method, url, Encoding.UTF8.GetBytes(body), expected);

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("type").GetString()));
        Assert.Contains(" ", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains(" ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("traceId").GetString()));
        return problem;
    }

    [Theory]
    [InlineData("99999999999999999999999999")]
    [InlineData("9223372036854775808")]
    public async Task A_whole_number_beyond_64_bits_in_values_is_a_400_naming_the_field_and_range(string number)
    {
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Patch })
        {
            var body = "{\"offering\":\"qdrant\",\"values\":{\"replicaCount\":" + number + "}}";
            var problem = await SendRawAsync(method, $"{Base}/big-number", method == HttpMethod.Patch ? "{\"replicaCount\":" + number + "}" : body, HttpStatusCode.BadRequest);
            var field = method == HttpMethod.Patch ? "replicaCount" : "values.replicaCount";
            Assert.Contains("9223372036854775807", problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Raw_invalid_utf8_in_a_string_value_is_a_400()
    {
        byte[] body = [.. "{\"offering\":\"qdrant\",\"values\":{\"image\":{\"tag\":\""u8, 0xC3, 0x28, .. "\"}}}"u8];
        var problem = await SendRawAsync(HttpMethod.Put, $"{Base}/bad-utf8", body, HttpStatusCode.BadRequest);
        Assert.Contains("UTF-8", problem.GetProperty("errors").GetProperty("values.image.tag")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_surrogate_is_a_400() =>
        Assert.Contains("surrogate", (await SendRawAsync(HttpMethod.Put, $"{Base}/surrogate", """{"offering":"qdrant","values":{"tag":"a\ud800b"}}""", HttpStatusCode.BadRequest))
            .GetProperty("detail").GetString(), StringComparison.Ordinal);

    [Fact]
    public async Task A_duplicate_key_is_a_400_not_last_one_wins() =>
        Assert.Contains("twice", (await SendRawAsync(HttpMethod.Put, $"{Base}/dup", """{"offering":"qdrant","offering":"runner"}""", HttpStatusCode.BadRequest))
            .GetProperty("detail").GetString(), StringComparison.Ordinal);

    [Theory]
    [InlineData("{\"offering\": NaN}", "line 1, byte 14")]
    [InlineData("{\"offering\":\"qdrant\"} garbage", "line 1, byte 23")]
    [InlineData("{\"offering\":", "line 1")]
    public async Task Malformed_json_says_the_line_and_byte(string body, string position) =>
        Assert.Contains(position, (await SendRawAsync(HttpMethod.Put, $"{Base}/malformed", body, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);

    [Fact]
    public async Task Deep_nesting_names_the_limit()
    {
        var body = "{\"offering\":\"qdrant\",\"values\":" + new string('[', 200) + new string(']', 200) + "}";
        Assert.Contains("64 levels", (await SendRawAsync(HttpMethod.Put, $"{Base}/deep", body, HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_replicas_beyond_int_names_the_field_and_range()
    {
        await world.As("operator").SendJsonAsync(HttpMethod.Put, $"{Base}/to-scale", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);
        var problem = await SendRawAsync(HttpMethod.Post, $"{Base}/to-scale/scale", """{"replicas": 99999999999}""", HttpStatusCode.BadRequest);
        Assert.Contains("between -2147483648 and 2147483647", problem.GetProperty("errors").GetProperty("replicas")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_type_names_the_field_and_what_it_must_be()
    {
        await world.As("operator").SendJsonAsync(HttpMethod.Put, $"{Base}/to-scale-2", new { offering = "qdrant" }).ExpectAsync(HttpStatusCode.Created);
        var problem = await SendRawAsync(HttpMethod.Post, $"{Base}/to-scale-2/scale", """{"replicas": "three"}""", HttpStatusCode.BadRequest);
        Assert.Contains("whole number", problem.GetProperty("errors").GetProperty("replicas")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_of_another_media_type_is_a_415_in_words() =>
        await SendRawAsync(HttpMethod.Put, $"{Base}/media", Encoding.UTF8.GetBytes("offering: qdrant"), HttpStatusCode.UnsupportedMediaType, "application/yaml");

    [Fact]
    public async Task A_missing_body_says_one_is_needed() =>
        Assert.Contains("JSON body", (await SendRawAsync(HttpMethod.Put, $"{Base}/no-body", [], HttpStatusCode.BadRequest)).GetProperty("detail").GetString(), StringComparison.Ordinal);

    [Fact]
    public async Task A_query_value_of_the_wrong_type_is_a_400_in_words() =>
        await AssertProblemAsync(await world.As("operator").GetAsync($"{Base}?limit=lots"), HttpStatusCode.BadRequest);

    [Fact]
    public async Task An_unknown_route_is_a_404_that_says_where_routes_are_listed()
    {
        var problem = await AssertProblemAsync(await world.As("operator").GetAsync("/api/v1/no-such-thing"), HttpStatusCode.NotFound);
        Assert.Contains("/openapi/v1.json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_method_a_route_does_not_take_is_a_405_naming_the_ones_it_does()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/tenants");
        var problem = await AssertProblemAsync(await world.As("operator").SendAsync(request), HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_sign_in_is_a_401_that_says_how_to_sign_in_even_when_text_is_asked_for()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Base);
        request.Headers.Accept.ParseAdd("text/html");
        var problem = await AssertProblemAsync(await world.Factory.CreateClient().SendAsync(request), HttpStatusCode.Unauthorized);
        Assert.Contains("/api/v1/auth/token", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_longer_than_the_limit_is_a_414_problem() =>
        await AssertProblemAsync(await world.As("operator").GetAsync($"{Base}?prefix={new string('a', 9000)}"), HttpStatusCode.RequestUriTooLong);

    [Fact]
    public async Task Headers_larger_than_the_limit_are_a_431_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Base);
        request.Headers.Add("X-Filler", new string('x', 40_000));
        await AssertProblemAsync(await world.As("operator").SendAsync(request), HttpStatusCode.RequestHeaderFieldsTooLarge);
    }

    [Fact]
    public async Task A_body_larger_than_the_limit_is_a_413_problem() =>
        await SendRawAsync(HttpMethod.Put, $"{Base}/huge", new byte[1024 * 1024 + 1], HttpStatusCode.RequestEntityTooLarge);
}
