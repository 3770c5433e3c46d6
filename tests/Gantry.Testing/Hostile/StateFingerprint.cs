using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Gantry.Testing.Hostile;

/// <summary>
/// What a refused request must leave as it was, read from a Gantry data folder: the Git refs (the head of every
/// branch), every file in the buckets, and the rows of the tables that hold tenants' state. Audit events, refresh
/// tokens, the status timeline and idempotency keys are left out: recording a refusal is not changing state.
/// </summary>
public static class StateFingerprint
{
    private static readonly string[] Tables =
        ["tenants", "users", "memberships", "instances", "environments", "change_requests", "clusters", "cluster_tenants", "api_keys", "sealing_keys"];

    public static string Of(string dataDir)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var git = Path.Combine(dataDir, "state.git");
        foreach (var file in Files(git).Where(f => f.Contains("/refs/", StringComparison.Ordinal) || f.EndsWith("/HEAD", StringComparison.Ordinal) || f.EndsWith("packed-refs", StringComparison.Ordinal)))
        {
            Add(hash, file, File.ReadAllBytes(file));
        }

        foreach (var file in Files(Path.Combine(dataDir, "buckets")))
        {
            Add(hash, file, File.ReadAllBytes(file));
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDir, "gantry.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        foreach (var table in Tables)
        {
            using var command = connection.CreateCommand();
            // The table names are the constants above, never input.
            command.CommandText = $"SELECT * FROM {table} ORDER BY 1";
            try
            {
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        Add(hash, table, Encoding.UTF8.GetBytes(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? ""));
                    }
                }
            }
            catch (SqliteException)
            {
                // A table of a later migration: nothing to compare.
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static IEnumerable<string> Files(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [];

    private static void Add(IncrementalHash hash, string name, byte[] content)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(name));
        hash.AppendData(BitConverter.GetBytes(content.Length));
        hash.AppendData(content);
    }
}
