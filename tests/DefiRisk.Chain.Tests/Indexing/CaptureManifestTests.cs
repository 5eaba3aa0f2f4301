using System.Text.Json.Nodes;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Indexing;
using DefiRisk.Core;
using DefiRisk.Core.Indexing;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>The <c>capture</c> key of a manifest (what <c>fixture capture</c> writes and <c>index</c> reads back), without a chain.</summary>
public sealed class CaptureManifestTests
{
    private static JsonObject DemoManifest()
    {
        var path = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "demo", FixtureServer.ManifestFile);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        root.Remove("fixture");
        return root;
    }

    private static readonly DiscoveredAccount[] Found =
    [
        new("0xpool", "0xbbb"), new("0xpool", "0xaaa"), new("0x01market", ""), new("0x01market", "0xccc"),
    ];

    [Fact]
    public void Discovery_recorded_in_memory_round_trips_through_the_manifest_in_the_order_the_database_gives()
    {
        var recorded = new MemoryDiscoveryStore();
        recorded.CommitChunk(31337, "p", "0xcontract", 40, Found[..2]);
        recorded.CommitChunk(31337, "p", "0xcontract", 70, Found[2..]);
        recorded.CommitChunk(1, "p", "0xother-chain", 9, [new("0xpool", "0xddd")]);
        var root = DemoManifest();
        root["capture"] = new CaptureFacts(1_750_000_840, "0xhash", "http://127.0.0.1:8545", recorded.Export(31337)).ToJson();

        var manifest = DeploymentManifest.Parse(root.ToJsonString(), "capture.json");
        var again = DeploymentManifest.Parse(manifest.ToJson(), "again.json");
        var back = MemoryDiscoveryStore.From(31337, again.Capture!);

        Assert.Equal(70, back.GetCheckpoint(31337, "p", "0xcontract"));
        Assert.Null(back.GetCheckpoint(31337, "p", "0xother-chain")); // another chain's discovery is not part of this capture
        Assert.Equal(Found.OrderBy(a => a.Market, StringComparer.Ordinal).ThenBy(a => a.Account, StringComparer.Ordinal), back.GetAccounts(31337, "p"));
        Assert.Equal(1_750_000_840, again.Capture!.Timestamp);
    }

    [Fact]
    public void A_capture_without_its_block_is_refused_with_one_line()
    {
        var root = DemoManifest();
        root.Remove("block");
        root["capture"] = new CaptureFacts(1, "0xhash", "http://127.0.0.1:8545", []).ToJson();
        var ex = Assert.Throws<DefiRiskException>(() => DeploymentManifest.Parse(root.ToJsonString(), "capture.json"));
        Assert.Contains("a capture needs the block it was captured at", ex.Message);
        Assert.Equal(ExitCodes.UserError, ex.ExitCode);
    }

    [Fact]
    public void An_unknown_key_inside_capture_is_refused_naming_it()
    {
        var root = DemoManifest();
        var capture = new CaptureFacts(1, "0xhash", "http://127.0.0.1:8545", []).ToJson().AsObject();
        capture["borrowers"] = new JsonArray();
        root["capture"] = capture;
        var ex = Assert.Throws<DefiRiskException>(() => DeploymentManifest.Parse(root.ToJsonString(), "capture.json"));
        Assert.Contains("borrowers", ex.Message);
    }
}
