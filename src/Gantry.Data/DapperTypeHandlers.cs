using System.Data;
using System.Globalization;
using Dapper;

namespace Gantry.Data;

/// <summary>
/// Timestamps are TEXT (ISO 8601, UTC) in SQLite and TIMESTAMPTZ in PostgreSQL; this handler gives both
/// back as UTC <see cref="DateTimeOffset"/> so repositories are written once.
/// </summary>
internal sealed class UtcDateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
{
    private static int s_registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            // Dapper maps DateTimeOffset natively and ignores handlers for natively mapped types unless the
            // native mapping is removed first (DapperLib/Dapper#206).
            SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
            SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
            SqlMapper.AddTypeHandler(new UtcDateTimeOffsetHandler());
        }
    }

    public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
    {
        parameter.DbType = DbType.DateTimeOffset;
        parameter.Value = value.ToUniversalTime();
    }

    public override DateTimeOffset Parse(object value) => value switch
    {
        DateTimeOffset offset => offset.ToUniversalTime(),
        DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
        string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime(),
        _ => throw new DataException($"Cannot read a timestamp from a {value.GetType().Name}."),
    };
}
