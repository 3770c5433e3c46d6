namespace Gantry.Data.Migrations;

/// <summary>Every migration Gantry knows, oldest first. Append; never rewrite one that has shipped.</summary>
public static class Schema
{
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "users and tenants",
            Sqlite: """
                CREATE TABLE users (
                    id                TEXT PRIMARY KEY,
                    username          TEXT NOT NULL UNIQUE,
                    email             TEXT NULL,
                    password_hash     TEXT NULL,
                    is_platform_admin INTEGER NOT NULL DEFAULT 0,
                    created_at        TEXT NOT NULL,
                    updated_at        TEXT NOT NULL
                );
                CREATE TABLE tenants (
                    name         TEXT PRIMARY KEY,
                    display_name TEXT NULL,
                    created_at   TEXT NOT NULL
                );
                """,
            PostgreSql: """
                CREATE TABLE users (
                    id                TEXT PRIMARY KEY,
                    username          TEXT NOT NULL UNIQUE,
                    email             TEXT NULL,
                    password_hash     TEXT NULL,
                    is_platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
                    created_at        TIMESTAMPTZ NOT NULL,
                    updated_at        TIMESTAMPTZ NOT NULL
                );
                CREATE TABLE tenants (
                    name         TEXT PRIMARY KEY,
                    display_name TEXT NULL,
                    created_at   TIMESTAMPTZ NOT NULL
                );
                """),
    ];

    public static int LatestVersion => Migrations[^1].Version;
}
