using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Environments;
using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Server.Tests.Environments;

/// <summary>sue environments expire 24 hours after creation: time is moved with a fake clock.</summary>
public sealed class EnvironmentExpiryTests : IAsyncLifetime
{
    private readonly EnvironmentWorld _world = new();

    public Task InitializeAsync() => _world.InitializeAsync();

    public Task DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task A_sue_environment_is_removed_24_hours_after_creation_and_the_removal_is_audited()
    {
        var jane = _world.As("jane.smith");
        var claim = EnvironmentApiTests.Example("sue-jane-hotfix");
        claim.Remove("expiration_date");
        claim.Remove("creation_date");
        claim["environment_pool"] = EnvironmentWorld.PoolB;
        var created = await EnvironmentApiTests.Post(jane, claim).ExpectAsync(HttpStatusCode.Created);
        var start = DateTimeOffset.Parse(created.GetProperty("creation_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(start.AddHours(24), DateTimeOffset.Parse(created.GetProperty("expiration_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("v1.3.0-dev.2", created.GetProperty("services").GetProperty("user-service").GetProperty("resolved_version").GetString());
        var expiry = _world.Factory.Services.GetRequiredService<EnvironmentExpiryService>();
        var url = new Uri("/api/v1/environments/sue-jane-hotfix", UriKind.Relative);

        _world.Time.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, await expiry.SweepAsync(CancellationToken.None));
        await jane.GetAsync(url).ExpectAsync(HttpStatusCode.OK);

        // Moving the clock also fires the service's own timer, which may get there first: either way it is gone.
        _world.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await expiry.SweepAsync(CancellationToken.None);

        await jane.GetAsync(url).ExpectAsync(HttpStatusCode.NotFound);
        Assert.False(File.Exists(Path.Combine(_world.BucketFolder, EnvironmentWorld.PoolB, "sue-jane-hotfix.json")));
        var audit = await _world.As("platform-admin").GetAsync(new Uri($"/api/v1/audit?tenant={EnvironmentWorld.PoolB}", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);
        Assert.Contains(audit.EnumerateArray(),
            e => e.GetProperty("action").GetString() == EnvironmentAuditActions.Expired && e.GetProperty("target").GetString() == "sue-jane-hotfix");
    }

    [Fact]
    public async Task Extend_pushes_the_expiry_within_the_type_maximum()
    {
        var jane = _world.As("jane.smith");
        var claim = EnvironmentApiTests.Request("sue-extended", "sue", EnvironmentWorld.PoolB, new JsonObject { ["auth-service"] = "*" });
        var created = await EnvironmentApiTests.Post(jane, claim).ExpectAsync(HttpStatusCode.Created);
        var start = DateTimeOffset.Parse(created.GetProperty("creation_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var extendUrl = new Uri("/api/v1/environments/sue-extended/extend", UriKind.Relative);

        _world.Time.Advance(TimeSpan.FromHours(20));
        var extended = await jane.PostAsync(extendUrl, null).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(start.AddHours(44), DateTimeOffset.Parse(extended.GetProperty("expiration_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        var tooFar = await jane.SendJsonAsync(HttpMethod.Post, extendUrl.ToString(), new { expiration_date = start.AddDays(8) }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("at most 7 days", tooFar.GetProperty("errors").GetProperty("expiration_date")[0].GetString(), StringComparison.Ordinal);

        _world.Time.Advance(TimeSpan.FromHours(5));
        var expiry = _world.Factory.Services.GetRequiredService<EnvironmentExpiryService>();
        await expiry.SweepAsync(CancellationToken.None);
        await jane.GetAsync(new Uri("/api/v1/environments/sue-extended", UriKind.Relative)).ExpectAsync(HttpStatusCode.OK);

        var dev = EnvironmentApiTests.Request("dev-forever", "dev", EnvironmentWorld.PoolA, new JsonObject { ["auth-service"] = "*" });
        await EnvironmentApiTests.Post(_world.As("john.doe"), dev).ExpectAsync(HttpStatusCode.Created);
        await _world.As("john.doe").PostAsync(new Uri("/api/v1/environments/dev-forever/extend", UriKind.Relative), null).ExpectAsync(HttpStatusCode.Conflict);
    }
}
