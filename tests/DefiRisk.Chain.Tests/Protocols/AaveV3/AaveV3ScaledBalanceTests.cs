using System.Numerics;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Tests.Harness;
using DefiRisk.Harness;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Storage;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// Aave balances are read as scaled balances times the reserve's index at the block (<see cref="AaveV3BalanceRound"/>):
/// a quarter of the node's work of balanceOf. The product must be exactly what the token's balanceOf answers, on the
/// 3.0 demo book (rayMul, half up) and on the 3.6 mainnet-like book (TokenMath: aToken floor, debt ceiling), and a token
/// whose balance is not that product must still be read right.
/// </summary>
public sealed class AaveV3ScaledBalanceRoundingTests
{
    private static readonly BigInteger Ray = BigInteger.Pow(10, 27);

    [Theory]
    // scaled 3 at index 1.5: 4.5 → half up 5 (≤ 3.4), floor 4 (3.5+ aToken), ceiling 5 (3.5+ debt)
    [InlineData(3, 15, false, AaveV3Revision.V3_4, 5)]
    [InlineData(3, 15, false, AaveV3Revision.V3_5, 4)]
    [InlineData(3, 15, true, AaveV3Revision.V3_6, 5)]
    // 4.2 → 4, 4, 5
    [InlineData(3, 14, false, 1, 4)]
    [InlineData(3, 14, false, AaveV3Revision.V3_6, 4)]
    [InlineData(3, 14, true, AaveV3Revision.V3_5, 5)]
    // an exact product is not rounded either way; nothing scaled is nothing
    [InlineData(4, 15, true, AaveV3Revision.V3_6, 6)]
    [InlineData(0, 15, true, AaveV3Revision.V3_6, 0)]
    public void A_scaled_balance_times_the_index_rounds_as_the_release_s_token_does(int scaled, int indexTenths, bool debt, int revision, int expected) =>
        Assert.Equal(new BigInteger(expected), AaveV3BalanceRound.Balance(scaled, Ray * indexTenths / 10, debt, revision));
}

[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class AaveV3ScaledBalanceDemoTests(DemoChain chain)
{
    [Fact]
    public async Task On_the_3_0_demo_book_every_scaled_balance_times_the_index_is_the_token_s_balanceOf() =>
        await ScaledBalanceParity.AssertEveryLegAsync(chain.Server, chain.Stored, tokenMath: false);

    [Fact]
    public async Task A_token_whose_balance_is_not_its_scaled_balance_times_the_index_is_read_with_balanceOf_and_the_snapshot_is_the_same()
    {
        // The node answers scaledBalanceOf on one aToken with its balanceOf (plain batches, so each call is visible): its first
        // holder's check fails, and every leg of that token must be read with balanceOf in one more round.
        var market = Assert.Single(chain.Stored.Books.OfType<AaveV3Book>().Single().Markets).Market;
        var aToken = market.Reserves.First(r => chain.Stored.Books.OfType<AaveV3Book>().Single().Markets[0].Accounts
            .Count(a => a.Reserves.Any(x => x.Asset == r.Asset && !x.Collateral.IsZero)) > 3).AToken.Value;
        var scaledSelector = new ScaledBalanceOfFunction().GetCallData().ToHex(prefix: true)[..10];
        var balanceSelector = new BalanceOfFunction().GetCallData().ToHex(prefix: true)[..10];
        await using var proxy = new RewritingProxy(chain.Server.RpcUrl, request =>
        {
            var any = false;
            foreach (var item in request is JsonArray batch ? batch.ToList() : [request])
                if (item?["method"]?.GetValue<string>() == "eth_call" && item["params"] is JsonArray { Count: >= 1 } p && p[0] is JsonObject call
                    && call["to"]?.GetValue<string>() is { } to && string.Equals(to, aToken, StringComparison.OrdinalIgnoreCase)
                    && call["data"]?.GetValue<string>() is { } data && data.StartsWith(scaledSelector, StringComparison.OrdinalIgnoreCase))
                {
                    call["data"] = balanceSelector + data[10..];
                    any = true;
                }
            return any;
        });
        var options = DemoChain.TestRpc with { CallsPerRead = 1 };
        var clean = await chain.IndexAsync(chain.NewDatabase(), options: options);
        var rewritten = await chain.IndexAsync(chain.NewDatabase(), rpcUrl: proxy.Url, options: options);

        Assert.True(proxy.Rewritten > 0, "no scaledBalanceOf call on the aToken went through the proxy");
        Assert.Equal(SnapshotText.Canonical(clean.Snapshot), SnapshotText.Canonical(rewritten.Snapshot));
        Assert.True(rewritten.Read!.EthCalls > clean.Read!.EthCalls, "the token's legs were not read again with balanceOf");
    }
}

[Trait("Category", "ChainParity")]
public sealed class AaveV3ScaledBalanceMainnetLikeTests(MainnetLikeChain chain) : IClassFixture<MainnetLikeChain>
{
    [Fact]
    public async Task On_the_3_6_mainnet_like_book_every_scaled_balance_times_the_index_is_the_token_s_balanceOf() =>
        await ScaledBalanceParity.AssertEveryLegAsync(chain.Server, chain.Stored, tokenMath: true);
}

internal static class ScaledBalanceParity
{
    /// <summary>
    /// For every account's aToken and variable debt leg in the stored snapshot: scaledBalanceOf × the stored index, rounded as
    /// the release does, equals balanceOf read on chain, and equals the stored balance (each read with plain eth_calls).
    /// </summary>
    public static async Task AssertEveryLegAsync(FixtureServer server, Snapshot stored, bool tokenMath)
    {
        var state = Assert.Single(stored.Books.OfType<AaveV3Book>().Single().Markets);
        Assert.Equal(tokenMath, state.Market.PoolRevision >= AaveV3Revision.V3_5);
        var reserves = state.Market.Reserves.ToDictionary(r => r.Asset);
        var legs = new List<(string Token, string User, BigInteger Index, bool Debt, BigInteger Stored)>();
        foreach (var account in state.Accounts)
            foreach (var r in account.Reserves)
            {
                var reserve = reserves[r.Asset];
                if (!r.Collateral.IsZero) legs.Add((reserve.AToken.Value, account.Account.Value, reserve.LiquidityIndex, false, r.Collateral));
                if (!r.VariableDebt.IsZero) legs.Add((reserve.VariableDebtToken.Value, account.Account.Value, reserve.VariableBorrowIndex, true, r.VariableDebt));
            }
        Assert.True(legs.Count(l => l.Debt) > 50 && legs.Count(l => !l.Debt) > 50, $"{legs.Count} legs");

        using var rpc = new EthRpc(server.RpcUrl, DemoChain.TestRpc with { CallsPerRead = 1 });
        var calls = legs.SelectMany(l => new[]
        {
            new EthCall(l.Token, new ScaledBalanceOfFunction { User = l.User }.GetCallData().ToHex(prefix: true)),
            new EthCall(l.Token, new BalanceOfFunction { Account = l.User }.GetCallData().ToHex(prefix: true)),
        }).ToList();
        var answers = await rpc.CallAsync(calls, stored.Chain.BlockNumber, CancellationToken.None);
        var rounded = 0;
        for (var i = 0; i < legs.Count; i++)
        {
            var (token, user, index, debt, kept) = legs[i];
            var scaled = EthRpc.ParseBig(answers[2 * i].Data);
            var balance = EthRpc.ParseBig(answers[2 * i + 1].Data);
            var product = AaveV3BalanceRound.Balance(scaled, index, debt, state.Market.PoolRevision);
            Assert.True(product == balance, $"{token} of {user}: scaled {scaled} × index {index} = {product}, balanceOf {balance}");
            Assert.Equal(balance, kept);
            if (!(scaled * index % BigInteger.Pow(10, 27)).IsZero) rounded++;
        }
        Assert.True(rounded > legs.Count / 2, $"only {rounded} of {legs.Count} products needed rounding: the rounding is not exercised");
    }
}
