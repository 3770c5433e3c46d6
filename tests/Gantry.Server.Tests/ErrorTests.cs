using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Server.Tests;

public sealed class ErrorTests : IDisposable
{
    private readonly GantryServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Unknown_route_answers_problem_json_404()
    {
        var response = await _factory.CreateClient().GetAsync("/api/v1/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task OpenApi_document_and_reference_page_are_served()
    {
        var client = _factory.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.Equal("Gantry API", document.GetProperty("info").GetProperty("title").GetString());
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);

        var page = await client.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }
}

public sealed class UnhandledErrorTests : IDisposable
{
    private const string Secret = "internal-detail-that-must-not-leak";
    private readonly WebApplicationFactoryWithThrow _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task An_unhandled_exception_is_a_500_problem_without_exception_text_or_stack()
    {
        var response = await _factory.CreateClient().GetAsync("/throw");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("at Gantry", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        var traceId = JsonDocument.Parse(body).RootElement.GetProperty("traceId").GetString()!;
        Assert.Single(_factory.Logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal) || l.Contains("Unhandled", StringComparison.Ordinal));
        Assert.Contains(_factory.Logs.Lines, l => l.Contains(traceId, StringComparison.Ordinal));
    }

    private sealed class WebApplicationFactoryWithThrow : WebApplicationFactory<Program>
    {
        private readonly TempFolder _data = new("gantry-server");

        public CapturingLoggerProvider Logs { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Gantry:DataDir", _data.Path);
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new ThrowingStartupFilter()));
            builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            _data.Dispose();
        }
    }

    // Appended after the application's own pipeline, so the exception passes through Gantry's exception handler.
    private sealed class ThrowingStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((HttpContext context, RequestDelegate _) =>
                context.Request.Path == "/throw" ? throw new InvalidOperationException(Secret) : Task.CompletedTask);
        };
    }
}
