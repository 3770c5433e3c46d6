using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Gantry.Server.Tests.Identity;

public sealed class TokenEndpointTests : IDisposable
{
    private const string AdminPassword = "test-admin-password";
    private readonly GantryServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private async Task<HttpClient> AdminAsync() =>
        _factory.CreateClient().WithBearer((await _factory.CreateClient().LoginAsync("admin", AdminPassword)).GetProperty("access_token").GetString()!);

    private async Task<string> CreateUserAsync(string username)
    {
        var admin = await AdminAsync();
        var created = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username, password = IdentityWorld.Password }).ExpectAsync(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Password_grant_as_form_answers_an_oauth_token_response_that_is_not_cached()
    {
        var response = await _factory.CreateClient().PasswordGrantAsync("admin", AdminPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = await response.JsonAsync();
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(900, body.GetProperty("expires_in").GetInt32());
        Assert.StartsWith("gantry_rt_", body.GetProperty("refresh_token").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, body.GetProperty("access_token").GetString()!.Split('.').Length);
    }

    [Fact]
    public async Task Password_grant_as_json_works_too()
    {
        var response = await _factory.CreateClient().PostAsJsonAsync("/api/v1/auth/token", new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = "admin",
            ["password"] = AdminPassword,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = await _factory.CreateClient().WithBearer((await response.JsonAsync()).GetProperty("access_token").GetString()!)
            .GetAsync("/api/v1/auth/me").ExpectAsync(HttpStatusCode.OK);
        Assert.True(me.GetProperty("isPlatformAdmin").GetBoolean());
    }

    [Theory]
    [InlineData("grant_type=client_credentials", "unsupported_grant_type")]
    [InlineData("grant_type=password&username=admin", "invalid_request")]
    [InlineData("username=admin&password=x", "invalid_request")]
    [InlineData("grant_type=refresh_token&refresh_token=gantry_rt_nope", "invalid_grant")]
    public async Task Bad_grants_answer_the_oauth_error_shape(string form, string error)
    {
        var response = await _factory.CreateClient().PostAsync("/api/v1/auth/token", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
    }

    [Fact]
    public async Task Refresh_tokens_are_single_use_and_a_replay_revokes_the_whole_login()
    {
        var client = _factory.CreateClient();
        var first = (await client.LoginAsync("admin", AdminPassword)).GetProperty("refresh_token").GetString()!;

        var second = await RefreshAsync(client, first).ExpectAsync(HttpStatusCode.OK);
        var secondRefresh = second.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(first, secondRefresh);

        var replay = await RefreshAsync(client, first).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_grant", replay.GetProperty("error").GetString());

        // The replay showed the token leaked: the token that the legitimate refresh got is dead too.
        await RefreshAsync(client, secondRefresh).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_revoked_refresh_token_no_longer_refreshes()
    {
        var client = _factory.CreateClient();
        var refresh = (await client.LoginAsync("admin", AdminPassword)).GetProperty("refresh_token").GetString()!;

        await client.PostAsync("/api/v1/auth/revoke", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = refresh })).ExpectAsync(HttpStatusCode.OK);

        await RefreshAsync(client, refresh).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_password_change_revokes_refresh_tokens()
    {
        var id = await CreateUserAsync("changer");
        var client = _factory.CreateClient();
        var login = await client.LoginAsync("changer", IdentityWorld.Password);
        var self = _factory.CreateClient().WithBearer(login.GetProperty("access_token").GetString()!);

        await self.SendJsonAsync(HttpMethod.Patch, $"/api/v1/users/{id}", new { password = "another long password" }).ExpectAsync(HttpStatusCode.OK);

        await RefreshAsync(client, login.GetProperty("refresh_token").GetString()!).ExpectAsync(HttpStatusCode.BadRequest);
        await client.LoginAsync("changer", "another long password");
    }

    [Fact]
    public async Task A_user_cannot_make_themselves_platform_admin()
    {
        var id = await CreateUserAsync("climber");
        var self = _factory.CreateClient().WithBearer((await _factory.CreateClient().LoginAsync("climber", IdentityWorld.Password)).GetProperty("access_token").GetString()!);

        await self.SendJsonAsync(HttpMethod.Patch, $"/api/v1/users/{id}", new { isPlatformAdmin = true }).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_stored_hash_is_not_the_password()
    {
        var id = await CreateUserAsync("hashed");

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_factory.DataDir, "gantry.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT password_hash FROM users WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        var hash = (string)(await command.ExecuteScalarAsync())!;

        Assert.NotEqual(IdentityWorld.Password, hash);
        Assert.DoesNotContain(IdentityWorld.Password, hash, StringComparison.Ordinal);
        Assert.True(Convert.FromBase64String(hash).Length > 32);
    }

    [Fact]
    public async Task A_weak_password_is_refused_with_a_message_that_says_the_rule()
    {
        var admin = await AdminAsync();

        var problem = await admin.SendJsonAsync(HttpMethod.Post, "/api/v1/users", new { username = "weak", password = "short" }).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("12 to 128 characters", problem.GetProperty("errors").GetProperty("password")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_answer_the_same_and_take_about_as_long()
    {
        await CreateUserAsync("timed");
        var client = _factory.CreateClient();
        var wrong = new List<double>();
        var unknown = new List<double>();
        string? wrongBody = null, unknownBody = null;
        for (var i = 0; i < 4; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var response = await client.PasswordGrantAsync("timed", "not the password " + i);
            wrong.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            wrongBody = await response.Content.ReadAsStringAsync();

            started = Stopwatch.GetTimestamp();
            response = await client.PasswordGrantAsync("nobody-" + i, "not the password " + i);
            unknown.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            unknownBody = await response.Content.ReadAsStringAsync();
        }

        Assert.Equal(wrongBody, unknownBody);

        // An unknown user still costs one password hash verification: without it, it would answer many times faster.
        var wrongMedian = wrong.Order().ElementAt(2);
        var unknownMedian = unknown.Order().ElementAt(2);
        Assert.True(unknownMedian > wrongMedian * 0.5, $"unknown user {unknownMedian:0.0} ms vs wrong password {wrongMedian:0.0} ms");
    }

    [Fact]
    public async Task The_sixth_rapid_wrong_attempt_is_throttled_with_retry_after()
    {
        await CreateUserAsync("target");
        var client = _factory.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await client.PasswordGrantAsync("target", "wrong password " + i).ExpectAsync(HttpStatusCode.BadRequest);
        }

        var throttled = await client.PasswordGrantAsync("target", "wrong password 6");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);

        // Even the right password waits: the throttle is about the username, not about being wrong.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PasswordGrantAsync("TARGET", IdentityWorld.Password)).StatusCode);

        // Other users are not locked out by it.
        await client.LoginAsync("admin", AdminPassword);
    }

    [Fact]
    public async Task Too_many_token_requests_from_one_address_answer_429()
    {
        using var factory = new GantryServerFactory().With("Auth:Throttle:RequestsPerClient", "3");
        var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await client.PasswordGrantAsync("user-" + i, "whatever password").ExpectAsync(HttpStatusCode.BadRequest);
        }

        var response = await client.PasswordGrantAsync("user-4", "whatever password");
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private static Task<HttpResponseMessage> RefreshAsync(HttpClient client, string refreshToken) =>
        client.PostAsync("/api/v1/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }));
}
