using System.Collections;
using System.Numerics;
using System.Reflection;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;
using DefiRisk.Chain.Protocols.MorphoBlue.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Venues.UniswapV2.ContractDefinition;
using DefiRisk.Chain.Venues.UniswapV3.ContractDefinition;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// The read phase's own ABI path for all-static calls and answers (<see cref="StaticAbi"/>) against Nethereum's, on random
/// values: the same call data, the same decoded fields, and no answer where Nethereum's would differ (then Nethereum decodes).
/// </summary>
public sealed class StaticAbiTests
{
    private readonly Random _random = new(13);

    private string RandomAddress() => "0x" + Convert.ToHexStringLower(RandomBytes(20));
    private byte[] RandomBytes(int n) { var b = new byte[n]; _random.NextBytes(b); return b; }
    private BigInteger RandomUnsigned(int bits) => new BigInteger(RandomBytes(bits / 8), isUnsigned: true);

    [Fact]
    public void Call_data_of_static_calls_equals_nethereums_for_addresses_ids_and_integers()
    {
        for (var i = 0; i < 200; i++)
        {
            SameCallData(new BalanceOfFunction { Account = RandomAddress() });
            SameCallData(new GetUserConfigurationFunction { User = RandomAddress().ToUpperInvariant().Replace("0X", "0x") });
            SameCallData(new PositionFunction { Id = RandomBytes(32), User = RandomAddress() });
            SameCallData(new IdToMarketParamsFunction { Id = RandomBytes(32) });
            SameCallData(new GetEModeCategoryDataFunction { Id = (byte)_random.Next(256) });
            SameCallData(new ConvertToAssetsFunction { Shares = RandomUnsigned(256) });
            SameCallData(new GetPairFunction { TokenA = RandomAddress(), TokenB = RandomAddress() });
        }
    }

    [Fact]
    public void A_call_with_a_tuple_or_a_dynamic_parameter_is_left_to_nethereum()
    {
        Assert.Null(StaticAbi.Encode(new BorrowRateViewFunction()));
        Assert.Null(StaticAbi.Encode(new GetAssetsPricesFunction { Assets = [RandomAddress()] }));
        Assert.Null(StaticAbi.Decode<AddressArrayOutput>("0x" + new string('0', 128)));
    }

    [Fact]
    public void Answers_of_static_words_decode_to_nethereums_fields_including_signed_and_narrow_ones()
    {
        for (var i = 0; i < 300; i++)
        {
            // Words as contracts return them (in range), and some whose high bits a narrow field cannot hold.
            var words = Enumerable.Range(0, 6).Select(k => Word(k, i)).ToList();
            var data = "0x" + string.Concat(words);
            Assert.NotNull(StaticAbi.Decode<Uint256Output>(data)); // the read phase's commonest answer always takes our path
            if (i % 4 == 3) Assert.NotNull(StaticAbi.Decode<AddressOutput>(data));
            SameDecoding<Uint256Output>(data);
            SameDecoding<Int256Output>(data);
            SameDecoding<Uint8Output>(data);
            SameDecoding<Uint16Output>(data);
            SameDecoding<Int24Output>(data);
            SameDecoding<AddressOutput>(data);
            SameDecoding<PositionOutput>(data);
            SameDecoding<MarketOutput>(data);
            SameDecoding<MarketParamsOutput>(data);
            SameDecoding<RoundDataOutput>(data);
            SameDecoding<GetReservesOutput>(data);
        }
    }

    [Fact]
    public void Short_return_data_is_left_to_nethereum_which_reports_it()
    {
        Assert.Null(StaticAbi.Decode<PositionOutput>("0x" + new string('0', 64 * 2)));
        Assert.Null(StaticAbi.Decode<Uint256Output>("0x"));
    }

    private string Word(int k, int i) => (i % 4) switch
    {
        0 => RandomUnsigned(256).ToString("x64")[^64..],                         // any word
        1 => (k % 2 == 0 ? RandomUnsigned(8 * (1 + _random.Next(20))) : BigInteger.Zero).ToString("x64")[^64..], // small
        2 => ((BigInteger.One << 256) - 1 - RandomUnsigned(16)).ToString("x64")[^64..], // small negatives (two's complement)
        _ => "000000000000000000000000" + Convert.ToHexStringLower(RandomBytes(20)),   // addresses
    };

    private static void SameCallData<TMsg>(TMsg message) where TMsg : FunctionMessage, new() =>
        Assert.Equal(message.GetCallData().ToHex(prefix: true), StaticAbi.Encode(message));

    private static void SameDecoding<TOut>(string data) where TOut : IFunctionOutputDTO, new()
    {
        var fast = StaticAbi.Decode<TOut>(data);
        if (fast is null) return; // left to Nethereum: nothing of ours to compare
        var nethereum = new FunctionCallDecoder().DecodeFunctionOutput<TOut>(data);
        foreach (var p in typeof(TOut).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var (a, b) = (p.GetValue(nethereum), p.GetValue(fast));
            if (a is IEnumerable x && b is IEnumerable y && a is not string) Assert.Equal(x.Cast<object>(), y.Cast<object>());
            else Assert.True(Equals(a, b), $"{typeof(TOut).Name}.{p.Name}: Nethereum {a}, ours {b} for {data}");
        }
    }
}
