namespace Gantry.Data.Tests;

/// <summary>Fresh SQLite databases for the contract suites, each a new file in one temp folder removed on dispose.</summary>
public sealed class SqliteFiles : IDisposable
{
    private readonly Gantry.Testing.TempFolder _folder = new("gantry-sqlite");

    public async Task<IMetadataDatabase> CreateAsync()
    {
        var database = new SqliteMetadataDatabase($"Data Source={_folder.Combine($"{Guid.NewGuid():N}.db")}");
        await database.EnsureCreatedAsync();
        return database;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
