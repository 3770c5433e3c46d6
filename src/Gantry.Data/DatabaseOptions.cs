namespace Gantry.Data;

/// <summary>Which metadata database Gantry uses. Bound from the <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary><c>sqlite</c> (the embedded default) or <c>postgresql</c>.</summary>
    public string Provider { get; set; } = DatabaseProviders.Sqlite;

    /// <summary>
    /// ADO.NET connection string. Optional for SQLite, where it defaults to <c>gantry.db</c> in the data folder;
    /// required for PostgreSQL.
    /// </summary>
    public string? ConnectionString { get; set; }
}

public static class DatabaseProviders
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    public static IReadOnlyList<string> All { get; } = [Sqlite, PostgreSql];
}
