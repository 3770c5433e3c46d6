using Gantry.Core.State;
using Gantry.Core.Validation;
using Gantry.Server.Instances;

namespace Gantry.Server.Tests.Instances;

public sealed class InstanceRevisionsTests
{
    private const string A = "abcdef0123456789abcdef0123456789abcdef01";
    private const string B = "abcdef0999999999999999999999999999999999";

    [Fact]
    public async Task A_prefix_two_changes_share_is_refused_as_ambiguous_naming_both()
    {
        var errors = new ValidationErrors();
        var resolved = await InstanceRevisions.ResolveAsync(new HistoryOf(A, B), "t", "i", "from", "abcdef0", errors, default);

        Assert.Null(resolved);
        var message = Assert.Single(errors.ToDictionary()["from"]);
        Assert.Contains("is ambiguous", message, StringComparison.Ordinal);
        Assert.Contains(A[..12], message, StringComparison.Ordinal);
        Assert.Contains(B[..12], message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_longer_prefix_picks_the_one_change()
    {
        var errors = new ValidationErrors();
        Assert.Equal(B, await InstanceRevisions.ResolveAsync(new HistoryOf(A, B), "t", "i", "from", "ABCDEF09", errors, default));
        Assert.True(errors.IsEmpty);
    }

    [Fact]
    public async Task The_search_stops_after_the_newest_thousand_changes()
    {
        var history = new HistoryOf([.. Enumerable.Range(0, InstanceRevisions.MaxChangesSearched).Select(i => $"{i:x8}".PadRight(40, 'f')), A]);
        var errors = new ValidationErrors();

        Assert.Null(await InstanceRevisions.ResolveAsync(history, "t", "i", "to", A[..9], errors, default));
        Assert.Contains("last 1000 changes", errors.ToDictionary()["to"][0], StringComparison.Ordinal);
        Assert.Equal(InstanceRevisions.MaxChangesSearched, history.Served);
    }

    /// <summary>A history of the given revisions, newest first, paged as the Git store pages it.</summary>
    private sealed class HistoryOf(params string[] revisions) : IStateStore
    {
        public int Served { get; private set; }

        public Task<HistoryPage> GetHistoryAsync(string path, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
        {
            var start = cursor is null ? 0 : int.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
            var commits = revisions.Skip(start).Take(limit)
                .Select(r => new StateCommit { Revision = r, Author = new ChangeAuthor("a", "a@example.com"), When = DateTimeOffset.UnixEpoch, Message = "m" })
                .ToList();
            Served += commits.Count;
            var next = start + commits.Count;
            return Task.FromResult(new HistoryPage(commits, next < revisions.Length ? next.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
        }

        public Task<string> CommitAsync(Change change, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string?> GetHeadAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<byte[]?> ReadFileAsync(string path, string? revision = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<StateEntry>> ListAsync(string folder, string? revision = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<FileDiff>> DiffAsync(string fromRevision, string toRevision, string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<string> RevertAsync(RevertRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
