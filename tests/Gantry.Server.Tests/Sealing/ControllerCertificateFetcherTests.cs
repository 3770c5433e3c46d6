using System.Net;
using Gantry.Server.Sealing;

namespace Gantry.Server.Tests.Sealing;

public sealed class ControllerCertificateFetcherTests
{
    private static readonly Uri CertUrl = new("https://sealed-secrets.example.com/v1/cert.pem");

    [Fact]
    public async Task Certificate_text_is_returned()
    {
        var fetcher = Fetcher(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("-----BEGIN CERTIFICATE-----\n") });

        Assert.Equal("-----BEGIN CERTIFICATE-----\n", await fetcher.FetchAsync(CertUrl, CancellationToken.None));
    }

    [Fact]
    public async Task Error_status_and_oversized_answers_are_refused_without_echoing_the_body()
    {
        var failing = Fetcher(_ => new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("secret page") });
        var huge = Fetcher(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new MemoryStream(new byte[ControllerCertificateFetcher.MaxBytes + 1])),
        });

        var notFound = await Assert.ThrowsAsync<CertificateFetchException>(() => failing.FetchAsync(CertUrl, CancellationToken.None));
        var tooLarge = await Assert.ThrowsAsync<CertificateFetchException>(() => huge.FetchAsync(CertUrl, CancellationToken.None));

        Assert.Equal("the URL answered 404", notFound.Message);
        Assert.Contains("larger than", tooLarge.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_url_is_a_fetch_problem()
    {
        var fetcher = Fetcher(_ => throw new HttpRequestException(HttpRequestError.NameResolutionError));

        var error = await Assert.ThrowsAsync<CertificateFetchException>(() => fetcher.FetchAsync(CertUrl, CancellationToken.None));

        Assert.Contains("NameResolutionError", error.Message, StringComparison.Ordinal);
    }

    private static ControllerCertificateFetcher Fetcher(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        new(new HttpClient(new StubHandler(answer)));

    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
