using System.Text;
using Gantry.Testing.Hostile;

namespace Gantry.Server.Tests.Hostile;

/// <summary>What the hostile-input suite found, each kept as one focused request.</summary>
public sealed class HostileRegressionTests(HostileWorld world) : IClassFixture<HostileWorld>
{
    [Theory]
    [InlineData("/api/v1/auth/token")]
    [InlineData("/api/v1/auth/revoke")]
    public async Task A_multipart_body_without_its_boundaries_is_a_400_in_words_not_a_500(string path)
    {
        var request = new HostileRequest("POST", $"POST {path}", path, Caller.Anonymous, Encoding.UTF8.GetBytes("{\"token\":\"x\"}"),
            "multipart/form-data; boundary=x", [], "multipart without boundaries");
        using var message = request.ToMessage(null);

        using var response = await world.Factory.CreateClient().SendAsync(message);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Empty(HostileAnswers.Violations(request, 400, response.Content.Headers.ContentType?.MediaType, body, []));
    }
}
