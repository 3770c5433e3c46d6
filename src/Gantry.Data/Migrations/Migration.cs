namespace Gantry.Data.Migrations;

/// <summary>
/// One versioned step of the schema. Versions are applied in order, each in its own transaction, and
/// recorded in <c>schema_migrations</c>; an applied migration is never edited, only followed by a new one.
/// </summary>
public sealed record Migration(int Version, string Name, string Sqlite, string PostgreSql)
{
    public string SqlFor(string provider) => provider switch
    {
        DatabaseProviders.Sqlite => Sqlite,
        DatabaseProviders.PostgreSql => PostgreSql,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
    };
}
