using System.Numerics;
using DefiRisk.Harness;
using DefiRisk.Core;

namespace DefiRisk.Chain.Tests.Harness;

[Trait("Category", "ChainParity")]
public sealed class AnvilNodeTests
{
    private const string Account = "0x1111111111111111111111111111111111111111";

    [Fact]
    public async Task Starts_on_a_free_port_with_the_chain_id_and_genesis_timestamp_asked_for()
    {
        await using var node = await AnvilNode.StartAsync(new AnvilOptions { ChainId = 4242, Timestamp = 1_700_000_000 });
        Assert.Equal(4242, (long)(await node.Web3.Eth.ChainId.SendRequestAsync()).Value);
        Assert.Equal(1_700_000_000, await node.LatestTimestampAsync());
        Assert.StartsWith("http://127.0.0.1:", node.RpcUrl);
    }

    [Fact]
    public async Task Storage_writes_are_undone_by_reverting_to_a_snapshot()
    {
        await using var node = await AnvilNode.StartAsync();
        await node.SetStorageAtAsync(Account, 0, 7);
        var snapshot = await node.SnapshotAsync();
        await node.SetStorageAtAsync(Account, 0, -1);
        Assert.Equal((BigInteger.One << 256) - 1, await node.GetStorageAtAsync(Account, 0));
        Assert.True(await node.RevertAsync(snapshot));
        Assert.Equal(7, await node.GetStorageAtAsync(Account, 0));
    }

    [Fact]
    public async Task A_dumped_state_loads_into_another_node_with_its_blocks_and_storage()
    {
        byte[] state;
        await using (var first = await AnvilNode.StartAsync(new AnvilOptions { Timestamp = 1_700_000_000 }))
        {
            await first.SetStorageAtAsync(Account, 3, 12345);
            await first.MineAsync(1_700_000_100);
            await first.MineAsync(1_700_000_200);
            state = await first.DumpStateAsync();
        }
        await using var second = await AnvilNode.StartAsync();
        await second.LoadStateAsync(state);
        Assert.Equal(2, await second.BlockNumberAsync());
        Assert.Equal(1_700_000_200, await second.LatestTimestampAsync());
        Assert.Equal(12345, await second.GetStorageAtAsync(Account, 3));
    }

    [Fact]
    public async Task Mining_with_a_timestamp_and_setting_the_next_one_give_exactly_those_timestamps()
    {
        await using var node = await AnvilNode.StartAsync(new AnvilOptions { Timestamp = 1_700_000_000 });
        await node.MineAsync(1_700_000_050);
        Assert.Equal(1_700_000_050, await node.LatestTimestampAsync());
        await node.SetNextBlockTimestampAsync(1_700_000_090);
        await node.MineAsync();
        Assert.Equal(1_700_000_090, await node.LatestTimestampAsync());
        Assert.Equal(2, await node.BlockNumberAsync());
    }

    [Fact]
    public void A_missing_node_modules_folder_is_a_clear_error_telling_to_run_npm_ci()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-node-modules");
        var ex = Assert.Throws<DefiRiskException>(() => NodeModules.Locate(missing));
        Assert.Equal($"anvil not found at {Path.Combine(missing, ".bin", "anvil")}: run `npm ci` in the repository root", ex.Message);
    }

    [Fact]
    public async Task Mining_thousands_of_blocks_writes_no_state_history_to_disk()
    {
        // Without --max-persisted-states 0, anvil writes one copy of the state per block beyond its in-memory window
        // to ~/.foundry/anvil/tmp and never removes it (3.1 GB for one cascade replay; it filled the CI disk).
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".foundry", "anvil", "tmp");
        var started = DateTime.UtcNow.AddSeconds(-1);
        await using (var node = await AnvilNode.StartAsync())
        {
            await node.Rpc.CallAsync("anvil_mine", "0xbb8");
            Assert.Equal(3000, await node.BlockNumberAsync());
        }
        var written = Directory.Exists(cache)
            ? Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories)
                .Select(f => new FileInfo(f)).Where(f => f.LastWriteTimeUtc >= started).Sum(f => f.Length)
            : 0;
        Assert.Equal(0, written);
    }

    [Fact]
    public async Task Morphos_compiler_is_npm_solc_0_8_19_even_with_the_aliased_0_8_27_installed()
    {
        // Both npm solc packages ship a `solcjs` bin; .bin/solcjs pointed at 0.8.27, so Morpho was compiled by the wrong one.
        var psi = new System.Diagnostics.ProcessStartInfo(NodeModules.Locate().Solcjs, "--version") { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(psi)!;
        var version = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.StartsWith("0.8.19+", version.Trim());
    }
}
