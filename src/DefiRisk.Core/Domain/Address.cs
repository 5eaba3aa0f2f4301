using System.Diagnostics.CodeAnalysis;

namespace DefiRisk.Core.Domain;

/// <summary>
/// A 20-byte account or contract address, held as lowercase "0x" + 40 hex digits so that equality,
/// hashing and SQLite keys never depend on checksum casing. Validate untrusted text with
/// <see cref="Parse"/>; code that already holds a canonical string may use <see cref="FromTrusted"/>.
/// </summary>
public readonly record struct Address : IComparable<Address>
{
    public static readonly Address Zero = new("0x0000000000000000000000000000000000000000");

    private readonly string? _value;

    private Address(string canonical) => _value = canonical;

    public string Value => _value ?? Zero._value!;

    public static Address Parse(string text, string what = "address") =>
        TryParse(text, out var a) ? a : throw new DefiRiskException($"{what} '{text}' is not a 20-byte hex address");

    public static bool TryParse(string? text, [NotNullWhen(true)] out Address address)
    {
        address = default;
        if (text is null) return false;
        var t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) t = t[2..];
        if (t.Length != 40) return false;
        foreach (var c in t)
            if (!Uri.IsHexDigit(c)) return false;
        address = new Address("0x" + t.ToLowerInvariant());
        return true;
    }

    /// <summary>For strings that are canonical by construction (decoded ABI output, database rows).</summary>
    public static Address FromTrusted(string canonical) => Parse(canonical);

    public bool IsZero => Value == Zero.Value;

    public int CompareTo(Address other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
