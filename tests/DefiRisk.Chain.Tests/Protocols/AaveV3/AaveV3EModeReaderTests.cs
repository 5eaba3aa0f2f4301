using System.Numerics;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Indexing;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// The Aave adapter's e-mode reading over the RPC client, against a scripted 3.6 pool (no anvil): a reserve whose legacy
/// configuration e-mode bits (168–175) are 0 — 3.2+ no longer writes them — while the category's bitmaps list it, and
/// whose legacy <c>getEModeCategoryData</c> still answers (as the real 3.6 Pool does).
/// </summary>
public sealed class AaveV3EModeReaderTests
{
    private const string Pool = "0x00000000000000000000000000000000000a0001";
    private const string Oracle = "0x00000000000000000000000000000000000a0002";
    private const string Weth = "0x00000000000000000000000000000000000b0001";
    private const string Lst = "0x00000000000000000000000000000000000b0002";
    private const string User = "0x00000000000000000000000000000000000c0001";
    private static readonly BigInteger Ray = BigInteger.Pow(10, 27);
    private static readonly BigInteger Price = 2000_00000000;
    private static readonly BigInteger LstBalance = BigInteger.Pow(10, 20), WethDebt = 90 * BigInteger.Pow(10, 18);

    /// <summary>(address, id, LTV, LT, bonus): WETH id 0; the LST id 1, collateral outside e-mode at 7000/7500 — below the e-mode's 9500.</summary>
    private static readonly (string Asset, int Id, int Ltv, int Lt, int Bonus)[] Reserves =
        [(Weth, 0, 8000, 8250, 10500), (Lst, 1, 7000, 7500, 10600)];

    private static string? Answer(string to, string data)
    {
        string S(string signature) => "0x" + Abi.Selector(signature);
        string Arg(int i) => "0x" + data.Substring(10 + 64 * i + 24, 40);
        var reserve = Reserves.FirstOrDefault(r => data.Length >= 74 && r.Asset == Arg(0));
        var selector = data[..10];
        if (to == Pool)
        {
            if (selector == S("POOL_REVISION()")) return ScriptedEthCalls.Words(10);
            if (selector == S("getReservesList()")) return ScriptedEthCalls.Array([Weth, Lst]);
            if (selector == S("getReserveData(address)"))
            {
                // Bits 168–175 (e-mode category) are left 0, as on any 3.2+ pool.
                var config = new BigInteger(reserve.Ltv) | new BigInteger(reserve.Lt) << 16 | new BigInteger(reserve.Bonus) << 32
                    | new BigInteger(18) << 48 | BigInteger.One << 56 | BigInteger.One << 58 | new BigInteger(1000) << 152;
                return ScriptedEthCalls.Words(config, Ray, 0, Ray, 0, 0, 0, reserve.Id, AToken(reserve.Id), Zero, DebtToken(reserve.Id), Zero, 0, 0, 0);
            }
            if (selector == S("getReserveNormalizedIncome(address)") || selector == S("getReserveNormalizedVariableDebt(address)")) return ScriptedEthCalls.Words(Ray);
            if (selector == S("getUserConfiguration(address)")) return ScriptedEthCalls.Words(0b1001); // borrows id 0, collateral id 1
            if (selector == S("getUserEMode(address)")) return ScriptedEthCalls.Words(1);
            if (selector == S("getReserveDeficit(address)") || selector == S("getLiquidationGracePeriod(address)") || selector == S("getVirtualUnderlyingBalance(address)")) return ScriptedEthCalls.Words(0);
            // The legacy view a 3.6 Pool still answers: LT and bonus of the category, no members, no price source.
            if (selector == S("getEModeCategoryData(uint8)"))
                return "0x" + ScriptedEthCalls.Word(32) + ScriptedEthCalls.Words(9300, 9500, 10100, Zero, 0xa0)[2..] + ScriptedEthCalls.StringTail("ETH correlated");
            if (selector == S("getEModeCategoryCollateralConfig(uint8)")) return ScriptedEthCalls.Words(9300, 9500, 10100);
            if (selector == S("getEModeCategoryCollateralBitmap(uint8)")) return ScriptedEthCalls.Words(0b11);
            if (selector == S("getEModeCategoryBorrowableBitmap(uint8)")) return ScriptedEthCalls.Words(0b01);
            if (selector == S("getEModeCategoryLtvzeroBitmap(uint8)")) return ScriptedEthCalls.Words(0b10);
            if (selector == S("getEModeCategoryLabel(uint8)")) return ScriptedEthCalls.String("ETH correlated");
            return null;
        }
        if (to == Oracle)
        {
            if (selector == S("BASE_CURRENCY_UNIT()")) return ScriptedEthCalls.Words(100_000_000);
            if (selector == S("getSourceOfAsset(address)")) return ScriptedEthCalls.Words("0x00000000000000000000000000000000000d000" + reserve.Id);
            if (selector == S("getAssetsPrices(address[])")) return ScriptedEthCalls.Array([Price, Price]);
            if (selector == S("getAssetPrice(address)")) return ScriptedEthCalls.Words(Price);
            return null;
        }
        if (to == Weth || to == Lst)
        {
            if (selector == S("symbol()")) return ScriptedEthCalls.String(to == Weth ? "WETH" : "LST");
            if (selector == S("decimals()")) return ScriptedEthCalls.Words(18);
            return null;
        }
        if (selector == S("balanceOf(address)") && Arg(0) == User)
        {
            if (to == AToken(1)) return ScriptedEthCalls.Words(LstBalance);
            if (to == DebtToken(0)) return ScriptedEthCalls.Words(WethDebt);
            return ScriptedEthCalls.Words(0);
        }
        return null; // price sources have no CAPO surface: reverts
    }

    private const string Zero = "0x0000000000000000000000000000000000000000";
    private static string AToken(int id) => $"0x00000000000000000000000000000000000e000{id}";
    private static string DebtToken(int id) => $"0x00000000000000000000000000000000000f000{id}";

    [Fact]
    public async Task A_3_6_reserve_absent_from_the_legacy_e_mode_bits_but_on_the_bitmaps_gets_the_e_mode_membership_threshold_and_ltv_zero()
    {
        await using var node = new ScriptedEthCalls(Answer);
        using var rpc = new EthRpc(node.Url);
        var deployment = new AaveV3Deployment { Name = "scripted", Pool = Pool, Oracle = Oracle, DataProvider = Zero };
        var reader = new ScriptedBlockReader(rpc, [new DiscoveredAccount(Pool, User)]);
        var read = await new AaveV3Adapter().ReadAsync(new AaveV3Section([deployment]), new AssetTable(), reader, default);
        var state = Assert.Single(Assert.IsType<AaveV3Book>(read.Book).Markets);

        var market = state.Market;
        var lst = Address.Parse(Lst);
        Assert.Equal(0, market.Reserve(lst).EModeCategory);
        var category = Assert.Single(market.EModeCategories);
        Assert.True(category.Contains(lst), "the LST is on the collateral bitmap but was not taken as an e-mode member");
        Assert.Equal(9500, category.LiquidationThreshold);
        Assert.True(category.IsLtvZero(lst), "the LST is on the ltvzero bitmap but was not read as LTV 0 in the e-mode");
        Assert.Equal([Address.Parse(Weth)], category.BorrowableAssets!);

        // Valued at the e-mode LT (9500), not the reserve's 7500: HF = ⌊wadDiv(coll·9500, debt) / 1e4⌋ (3.5+ exact weighting).
        var account = Assert.Single(state.Accounts);
        var data = AaveV3AccountMath.Calculate(market, account);
        var collateralBase = LstBalance * Price / BigInteger.Pow(10, 18);
        var debtBase = WethDebt * Price / BigInteger.Pow(10, 18);
        Assert.Equal(collateralBase, data.TotalCollateralBase);
        Assert.Equal(FixedPoint.WadDiv(collateralBase * 9500, debtBase) / 10_000, data.HealthFactor);
        Assert.False(data.IsLiquidatable);
    }
}

/// <summary>An <see cref="IBlockReader"/> over a scripted endpoint: reads at block 1, the given discovered accounts, no progress.</summary>
internal sealed class ScriptedBlockReader(EthRpc rpc, IReadOnlyList<DiscoveredAccount> accounts) : IBlockReader
{
    public long ChainId => 31337;

    public long Block => 1;

    public long Timestamp => 0;

    public Task ExecuteAsync(ReadBatch batch, CancellationToken ct) => batch.ExecuteAsync(rpc, Block, ct);

    public IReadOnlyList<DiscoveredAccount> DiscoveredAccounts(string protocol) => accounts;

    public void Report(string stage, long done, long total, string? detail = null) { }

    public void Warn(DefiRisk.Core.Indexing.IndexWarning warning) => throw new InvalidOperationException($"unexpected warning: {warning.Message}");
}
