namespace Gantry.Client;

public sealed partial class GantryClient
{
    public Task<IReadOnlyList<OfferingSummary>> ListOfferingsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<OfferingSummary>>("api/v1/offerings", cancellationToken);

    public Task<Offering> GetOfferingAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<Offering>($"api/v1/offerings/{Segment(name)}", cancellationToken);
}
