using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Harness;

/// <summary>
/// The streamed canonicalizer (used for every build, so that a 100,000-borrower state never sits in memory) writes the
/// same bytes as the in-memory <see cref="FixtureBuilder.Canonicalize"/> that made the bundled fixtures.
/// </summary>
public sealed class FixtureStateCanonicalizerTests
{
    /// <summary>The bundled demo state made raw again: blocks and transactions shuffled, traces put back (with characters
    /// the encoder escapes), one escaped input string.</summary>
    private static byte[] RawDemoState()
    {
        var path = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "demo", FixtureServer.StateGzip);
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var root = JsonNode.Parse(gz)!.AsObject();
        var random = new Random(5);
        foreach (var name in new[] { "transactions", "blocks" })
        {
            var array = root[name]!.AsArray();
            var items = array.Select(n => n!).ToArray();
            random.Shuffle(items);
            array.Clear();
            foreach (var item in items) array.Add(item);
        }
        foreach (var tx in root["transactions"]!.AsArray())
            tx!["info"]!["traces"] = JsonNode.Parse("[{\"parent\":null,\"children\":[1,2],\"trace\":{\"depth\":0,\"label\":\"<Pool> é\",\"gas\":123456789012345678}}]");
        var text = root.ToJsonString();
        // An escaped sequence in the input ("\u0041" is "A"), which both versions unescape and write back as "A".
        return System.Text.Encoding.UTF8.GetBytes(text.Replace("\"best_block_number\"", "\"best_block_\\u006eumber\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(4096)] // smaller than a contract's code string: the buffer has to grow mid-token
    public void The_streamed_canonical_state_equals_the_in_memory_one(int bufferSize)
    {
        var raw = RawDemoState();
        var expected = FixtureBuilder.Canonicalize(raw);

        using var output = new MemoryStream();
        FixtureStateCanonicalizer.Canonicalize(new MemoryStream(raw), output, Path.GetTempPath(), bufferSize);

        Assert.True(raw.Length > expected.Length, "the traces put back make the input larger");
        Assert.Equal(expected, output.ToArray());
        // And it is canonical: no trace left, transactions in (block, index) order.
        var root = JsonNode.Parse(output.ToArray())!;
        Assert.All(root["transactions"]!.AsArray(), tx => Assert.Empty(tx!["info"]!["traces"]!.AsArray()));
        var keys = root["transactions"]!.AsArray().Select(tx => (tx!["block_number"]!.GetValue<long>(), tx["info"]!["transaction_index"]!.GetValue<long>())).ToList();
        Assert.Equal(keys.Order().ToList(), keys);
    }

    [Fact]
    public void The_bundled_demo_state_is_already_canonical()
    {
        var path = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "demo", FixtureServer.StateGzip);
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var committed = new MemoryStream();
        gz.CopyTo(committed);

        using var output = new MemoryStream();
        FixtureStateCanonicalizer.Canonicalize(new MemoryStream(committed.ToArray()), output, Path.GetTempPath());
        Assert.Equal(committed.ToArray(), output.ToArray());
    }
}
