using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// ABI encoding and decoding of calls whose parameters (and answers whose fields) are all static words — address, bool,
/// uintN, intN, bytes32 — without Nethereum's per-call reflection, which cost more than the node's work in a read phase
/// of 12,000 calls (seconds against a few hundred milliseconds). Plans are made once per DTO type; any other shape
/// (tuples, arrays, bytes, string) or an answer that does not fit gets null, and the caller uses Nethereum.
/// <c>StaticAbiTests</c> checks both directions against Nethereum.
/// </summary>
internal static class StaticAbi
{
    /// <summary>The 0x-hex call data of <paramref name="message"/>, or null when its type is not all static words.</summary>
    public static string? Encode<TMsg>(TMsg message) where TMsg : FunctionMessage, new()
    {
        if (EncodePlan<TMsg>.Fields is not { } fields) return null;
        var sb = new StringBuilder(10 + 64 * fields.Length).Append("0x").Append(EncodePlan<TMsg>.Selector);
        foreach (var f in fields)
            if (!f.Append(sb, f.Get(message))) return null;
        return sb.ToString();
    }

    /// <summary>
    /// <paramref name="data"/> (0x-hex return data) decoded into a new <typeparamref name="TOut"/>, or null when its type is
    /// not all static words, the data is short or a word does not fit its field (Nethereum then decodes, or says why not).
    /// </summary>
    public static TOut? Decode<TOut>(string data) where TOut : IFunctionOutputDTO, new()
    {
        if (DecodePlan<TOut>.Fields is not { } fields) return default;
        var skip = data.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? 2 : 0;
        if (data.Length - skip < 64 * fields.Length) return default;
        var value = new TOut();
        for (var i = 0; i < fields.Length; i++)
        {
            if (!fields[i].Read(data.AsSpan(skip + 64 * i, 64), out var field)) return default;
            fields[i].Set(value, field);
        }
        return value;
    }

    private static class EncodePlan<TMsg> where TMsg : FunctionMessage, new()
    {
        public static readonly Field[]? Fields = Plan(typeof(TMsg));
        public static readonly string Selector = ABITypedRegistry.GetFunctionABI<TMsg>().Sha3Signature.ToLowerInvariant();
    }

    private static class DecodePlan<TOut> where TOut : IFunctionOutputDTO, new()
    {
        public static readonly Field[]? Fields = Plan(typeof(TOut));
    }

    private static Field[]? Plan(Type type)
    {
        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<ParameterAttribute>()))
            .Where(p => p.Attribute is not null).OrderBy(p => p.Attribute!.Order).ToList();
        var fields = new Field[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            var (property, attribute) = parameters[i];
            if (attribute!.Order != i + 1 || Kind(attribute.Type, property.PropertyType) is not { } kind) return null;
            fields[i] = new Field(property, kind.Word, kind.Bits, kind.Signed);
        }
        return fields;
    }

    private enum Word { Address, Bool, Integer, Bytes32 }

    private static (Word Word, int Bits, bool Signed)? Kind(string abiType, Type property)
    {
        if (abiType == "address" && property == typeof(string)) return (Word.Address, 160, false);
        if (abiType == "bool" && property == typeof(bool)) return (Word.Bool, 1, false);
        if (abiType == "bytes32" && property == typeof(byte[])) return (Word.Bytes32, 256, false);
        var signed = abiType.StartsWith("int", StringComparison.Ordinal);
        if (!signed && !abiType.StartsWith("uint", StringComparison.Ordinal)) return null;
        var digits = abiType[(signed ? 3 : 4)..];
        var bits = digits.Length == 0 ? 256 : int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 0;
        if (bits is < 8 or > 256 || bits % 8 != 0) return null;
        return Integral.ContainsKey(property) ? (Word.Integer, bits, signed) : null;
    }

    /// <summary>Integer property types and their ranges.</summary>
    private static readonly Dictionary<Type, (BigInteger Min, BigInteger Max)> Integral = new()
    {
        [typeof(BigInteger)] = (BigInteger.MinusOne << 255, (BigInteger.One << 256) - 1),
        [typeof(byte)] = (byte.MinValue, byte.MaxValue),
        [typeof(sbyte)] = (sbyte.MinValue, sbyte.MaxValue),
        [typeof(short)] = (short.MinValue, short.MaxValue),
        [typeof(ushort)] = (ushort.MinValue, ushort.MaxValue),
        [typeof(int)] = (int.MinValue, int.MaxValue),
        [typeof(uint)] = (uint.MinValue, uint.MaxValue),
        [typeof(long)] = (long.MinValue, long.MaxValue),
        [typeof(ulong)] = (ulong.MinValue, ulong.MaxValue),
    };

    private sealed class Field
    {
        public PropertyInfo Property { get; }

        private static readonly BigInteger Modulus = BigInteger.One << 256;
        private static readonly BigInteger SignBit = BigInteger.One << 255;

        private readonly Word _word;
        private readonly bool _signed;
        // The ABI type's range and the property type's, worked out once: a read phase decodes thousands of words per field.
        private readonly BigInteger _min, _max, _lo, _hi;
        private readonly Func<object, object?> _get;
        private readonly Action<object, object?> _set;

        public Field(PropertyInfo property, Word word, int bits, bool signed)
        {
            Property = property;
            _word = word;
            _signed = signed;
            (_min, _max) = signed ? (BigInteger.MinusOne << (bits - 1), (BigInteger.One << (bits - 1)) - 1) : (BigInteger.Zero, (BigInteger.One << bits) - 1);
            (_lo, _hi) = word == Word.Integer ? Integral[property.PropertyType] : (BigInteger.Zero, BigInteger.Zero);
            var accessors = typeof(Field).GetMethod(nameof(Accessors), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(property.DeclaringType!, property.PropertyType);
            (_get, _set) = ((Func<object, object?>, Action<object, object?>))accessors.Invoke(null, [property])!;
        }

        /// <summary>Typed delegates to the property's getter and setter (reflection's GetValue/SetValue cost more than the decoding).</summary>
        private static (Func<object, object?>, Action<object, object?>) Accessors<TOwner, TValue>(PropertyInfo property)
        {
            var get = property.GetGetMethod()!.CreateDelegate<Func<TOwner, TValue>>();
            var set = property.GetSetMethod()!.CreateDelegate<Action<TOwner, TValue>>();
            return (o => get((TOwner)o), (o, v) => set((TOwner)o, (TValue)v!));
        }

        public object? Get(object owner) => _get(owner);

        public void Set(object owner, object? value) => _set(owner, value);

        public bool Append(StringBuilder sb, object? value)
        {
            switch (_word)
            {
                case Word.Address:
                    if (value is not string a) return false;
                    var hex = a.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? a.AsSpan(2) : a.AsSpan();
                    if (hex.Length != 40) return false;
                    sb.Append('0', 24);
                    foreach (var c in hex)
                    {
                        if (!char.IsAsciiHexDigit(c)) return false;
                        sb.Append(char.ToLowerInvariant(c));
                    }
                    return true;
                case Word.Bool:
                    sb.Append('0', 63).Append(value is true ? '1' : '0');
                    return true;
                case Word.Bytes32:
                    if (value is not byte[] { Length: 32 } bytes) return false;
                    sb.Append(Convert.ToHexStringLower(bytes));
                    return true;
                default:
                    var n = value switch
                    {
                        BigInteger big => big, byte v => v, sbyte v => v, short v => v, ushort v => v,
                        int v => v, uint v => v, long v => v, ulong v => v, _ => (BigInteger?)null,
                    };
                    if (n is not { } number) return false;
                    if (number < _min || number > _max) return false;
                    if (number.Sign < 0) number += Modulus;
                    sb.Append(number.ToString("x64", CultureInfo.InvariantCulture).AsSpan()[^64..]);
                    return true;
            }
        }

        public bool Read(ReadOnlySpan<char> hex, out object? value)
        {
            value = null;
            switch (_word)
            {
                case Word.Address:
                    if (!IsZeros(hex[..24])) return false;
                    value = Nethereum.Util.AddressUtil.Current.ConvertToChecksumAddress(string.Concat("0x", hex[24..])); // as Nethereum gives it
                    return true;
                case Word.Bool:
                    if (!IsZeros(hex[..63]) || hex[63] is not ('0' or '1')) return false;
                    value = hex[63] == '1';
                    return true;
                case Word.Bytes32:
                    value = Convert.FromHexString(hex);
                    return true;
                default:
                    if (!Word256(hex, out var number)) return false;
                    if (_signed && number >= SignBit) number -= Modulus;
                    if (number < _min || number > _max || number < _lo || number > _hi) return false;
                    var type = Property.PropertyType;
                    value = type == typeof(BigInteger) ? number : type == typeof(ulong) ? (ulong)number : Convert.ChangeType((long)number, type, CultureInfo.InvariantCulture);
                    return true;
            }
        }

        /// <summary>64 hex digits as an unsigned 256-bit number; a word whose top 192 bits are clear (most answers) without a byte buffer.</summary>
        private static bool Word256(ReadOnlySpan<char> hex, out BigInteger number)
        {
            number = BigInteger.Zero;
            if (IsZeros(hex[..48]))
            {
                if (!ulong.TryParse(hex[48..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var small)) return false;
                number = small;
                return true;
            }
            Span<byte> bytes = stackalloc byte[32];
            if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32) return false;
            number = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
            return true;
        }

        private static bool IsZeros(ReadOnlySpan<char> hex)
        {
            foreach (var c in hex)
                if (c != '0') return false;
            return true;
        }
    }
}
