namespace Gantry.Client;

// Local users (/api/v1/users): platform administrators manage them; everyone reads and updates their own record.
public sealed partial class GantryClient
{
    private const string Users = "api/v1/users";

    public async Task<User> CreateUserAsync(UserRequest user, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Post, Users, user), RequestTimeout, cancellationToken);
        return await ReadAsync<User>(response, cancellationToken);
    }

    /// <summary>The users the caller may see: all for platform administrators, else themselves.</summary>
    public Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<User>>(Users, cancellationToken);

    public Task<User> GetUserAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<User>($"{Users}/{Segment(id)}", cancellationToken);

    public async Task<User> UpdateUserAsync(string id, UserPatch patch, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(JsonRequest(HttpMethod.Patch, $"{Users}/{Segment(id)}", patch), RequestTimeout, cancellationToken);
        return await ReadAsync<User>(response, cancellationToken);
    }

    public async Task DeleteUserAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"{Users}/{Segment(id)}"), RequestTimeout, cancellationToken);
    }
}
