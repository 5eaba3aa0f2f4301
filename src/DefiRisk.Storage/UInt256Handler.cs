using System.Data;
using System.Numerics;
using Dapper;

namespace DefiRisk.Storage;

/// <summary>
/// The one mapping of on-chain integers (uint256, held as <see cref="BigInteger"/>) to the database:
/// a 32-byte big-endian unsigned BLOB. Fixed width and big-endian means byte order equals numeric order,
/// so <c>ORDER BY</c> and range filters on these columns are correct in SQLite (memcmp) and PostgreSQL
/// (bytea) alike; TEXT decimals would sort "10" before "9". Values outside [0, 2^256) are refused.
/// </summary>
public sealed class UInt256Handler : SqlMapper.TypeHandler<BigInteger>
{
    public const int Width = 32;
    private static int _registered;

    /// <summary>Registers the handler with Dapper once per process (BigInteger and BigInteger?).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) != 0) return;
        SqlMapper.AddTypeHandler(new UInt256Handler());
        // snake_case columns map onto PascalCase row properties.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public static byte[] ToBytes(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), $"{value} is negative: not a uint256");
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (bytes.Length > Width) throw new ArgumentOutOfRangeException(nameof(value), $"{value} does not fit in 256 bits");
        if (bytes.Length == Width) return bytes;
        var padded = new byte[Width];
        bytes.CopyTo(padded, Width - bytes.Length);
        return padded;
    }

    public static BigInteger FromBytes(byte[] bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    public override void SetValue(IDbDataParameter parameter, BigInteger value)
    {
        parameter.DbType = DbType.Binary;
        parameter.Value = ToBytes(value);
    }

    public override BigInteger Parse(object value) => value switch
    {
        byte[] b => FromBytes(b),
        _ => throw new DataException($"expected a 32-byte uint256 BLOB, got {value.GetType().Name}"),
    };
}
