using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using DefiRisk.Core;
using Nethereum.Web3;

namespace DefiRisk.Harness;

/// <summary>How to start anvil. Everything here is a startup flag that a saved state does not carry
/// (LOCAL-CHAIN §1/§5): pass the same chain id again when serving a fixture.</summary>
public sealed record AnvilOptions
{
    public long ChainId { get; init; } = 31337;
    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }
    /// <summary>Genesis block timestamp (unix seconds); fixed for reproducible builds. Null: anvil uses the wall clock.</summary>
    public long? Timestamp { get; init; }
    /// <summary>Test-mnemonic accounts to unlock and fund (anvil default 10).</summary>
    public int Accounts { get; init; } = 10;
    /// <summary>Disable automine: blocks only come from <see cref="AnvilNode.MineAsync"/> (the builder batches txs this way).</summary>
    public bool NoMining { get; init; }
    /// <summary>Any sender may send without a key (<c>--auto-impersonate</c>).</summary>
    public bool AutoImpersonate { get; init; }
    /// <summary>Block gas limit; null keeps anvil's 30 M.</summary>
    public long? GasLimit { get; init; }
    /// <summary>Base fee (wei). 0 keeps it at zero forever, so txs can carry gasPrice 0.</summary>
    public long? BaseFee { get; init; }
    /// <summary>Mempool order "fifo" makes a block's tx order the send order (determinism).</summary>
    public string? Order { get; init; }
    /// <summary>Keep no historical states in memory (<c>--prune-history</c>).</summary>
    public bool PruneHistory { get; init; }
    /// <summary>A state file (anvil's JSON) to start from (<c>--load-state</c>).</summary>
    public string? LoadStatePath { get; init; }
    /// <summary>Fork mode: an origin JSON-RPC endpoint whose state is fetched lazily (<c>--fork-url</c>).
    /// Anvil 1.7.1 adopts the origin's chain id when <c>--chain-id</c> is not given; we always pass
    /// <see cref="ChainId"/>, so it must be the origin's (use <see cref="AnvilNode.ForkAsync"/>).</summary>
    public string? ForkUrl { get; init; }
    /// <summary>The origin block the fork starts from (<c>--fork-block-number</c>); null: the origin's latest.
    /// The fork's head is this block; reads at it or below are served from the origin's state at that block.</summary>
    public long? ForkBlockNumber { get; init; }
    /// <summary>Let anvil cache the forked state on disk (<c>~/.foundry/cache/rpc/&lt;chain&gt;/&lt;block&gt;</c>, written on exit and
    /// read at the next start). Off by default (<c>--no-storage-caching</c>): the cache is keyed by chain id and block only,
    /// so two local chains with id 31337 (another fixture, a rebuilt one) at the same block would read each other's state.</summary>
    public bool ForkStorageCaching { get; init; }
}

/// <summary>
/// One anvil process on a free loopback port, started from <c>node_modules/.bin/anvil</c>, ready when
/// <c>eth_chainId</c> answers. Disposing stops it politely (SIGTERM) and kills it if it lingers.
/// <see cref="Web3"/> talks to it with the unlocked test accounts; <see cref="Rpc"/> carries anvil's own methods.
/// </summary>
public sealed class AnvilNode : IAsyncDisposable
{
    /// <summary>anvil's default test-mnemonic accounts 0–9 ("test test … junk").</summary>
    public static readonly IReadOnlyList<string> DefaultAccounts =
    [
        "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
        "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
        "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65", "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
        "0x976ea74026e726554db657fa54763abd0c3a0aa9", "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
        "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f", "0xa0ee7a142d267c1f36714e4a8f75612f20a79720",
    ];

    private readonly Process _process;
    private readonly StringWriterBuffer _stderr;
    private Web3? _web3;

    private AnvilNode(Process process, StringWriterBuffer stderr, int port, AnvilOptions options)
    {
        _process = process;
        _stderr = stderr;
        Port = port;
        Options = options;
        RpcUrl = $"http://127.0.0.1:{port}";
        Rpc = new AnvilRpc(RpcUrl);
        // Safety net: a host that exits without disposing (a crashed test run) must not leave anvil behind.
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }

    public int Port { get; }
    public string RpcUrl { get; }
    public AnvilOptions Options { get; }
    public AnvilRpc Rpc { get; }
    public int ProcessId => _process.Id;

    /// <summary>Nethereum over this node; without an account it sends eth_sendTransaction for unlocked senders.</summary>
    public Web3 Web3 => _web3 ??= new Web3(RpcUrl);

    /// <summary>Starts anvil and waits until it answers; a missing binary is a <see cref="DefiRiskException"/> telling to run npm ci.</summary>
    public static async Task<AnvilNode> StartAsync(AnvilOptions? options = null, NodeModules? nodeModules = null, CancellationToken ct = default)
    {
        options ??= new AnvilOptions();
        nodeModules ??= NodeModules.Locate();
        // A fixed port someone already listens on: anvil would fail to bind, yet the probe below could reach the other
        // listener (another anvil with the same chain id answers it) and report success. Refuse it up front.
        if (options.Port != 0 && !PortIsFree(options.Port))
            throw new DefiRiskException($"port {options.Port} on 127.0.0.1 is in use; choose another --port (0 picks a free one)");
        // A port chosen by "bind to 0" can be taken by someone else before anvil binds it: retry a few times.
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? options.Port : FreePort();
            try
            {
                return await StartOnceAsync(options, nodeModules, port, ct).ConfigureAwait(false);
            }
            catch (AnvilStartException) when (options.Port == 0 && attempt < 3)
            {
            }
            catch (AnvilStartException ex)
            {
                throw new DefiRiskException(ex.Message, ExitCodes.ChainError);
            }
        }
    }

    /// <summary>
    /// Starts anvil forking <paramref name="originUrl"/> at <paramref name="block"/> (null: the origin's head),
    /// the auditor's workflow: <c>anvil --fork-url URL --fork-block-number N --chain-id ID</c>. The origin is
    /// asked for its chain id first, so the fork reports the same id (a fork of 31337 is 31337, of mainnet 1)
    /// and <see cref="AnvilOptions.ChainId"/> of <paramref name="options"/> is ignored.
    /// </summary>
    public static async Task<AnvilNode> ForkAsync(string originUrl, long? block, AnvilOptions? options = null, NodeModules? nodeModules = null, CancellationToken ct = default)
    {
        BigInteger chainId;
        using (var origin = new AnvilRpc(originUrl))
        {
            try
            {
                chainId = await origin.ProbeChainIdAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new DefiRiskException($"cannot fork {originUrl}: {ex.Message}", ExitCodes.ChainError);
            }
        }
        if (block is < 0) throw new DefiRiskException($"fork block {block} is negative");
        return await StartAsync((options ?? new AnvilOptions()) with { ChainId = (long)chainId, ForkUrl = originUrl, ForkBlockNumber = block }, nodeModules, ct).ConfigureAwait(false);
    }

    private static async Task<AnvilNode> StartOnceAsync(AnvilOptions options, NodeModules nodeModules, int port, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(nodeModules.Anvil)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in Arguments(options, port)) psi.ArgumentList.Add(arg);
        var process = Process.Start(psi) ?? throw new AnvilStartException($"could not start {nodeModules.Anvil}");
        var stderr = new StringWriterBuffer();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.Append(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var node = new AnvilNode(process, stderr, port, options);
        var deadline = Stopwatch.StartNew();
        try
        {
            return await WaitUntilReadyAsync(node, process, stderr, port, options, deadline, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled while starting (a SIGTERM during fixture up): the half-started node must not outlive us.
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<AnvilNode> WaitUntilReadyAsync(AnvilNode node, Process process, StringWriterBuffer stderr, int port, AnvilOptions options,
        Stopwatch deadline, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                var exitCode = process.ExitCode;
                await node.DisposeAsync().ConfigureAwait(false);
                throw new AnvilStartException($"anvil exited with code {exitCode} on port {port}: {stderr.Text.Trim()}");
            }
            BigInteger id;
            try
            {
                id = await node.Rpc.ProbeChainIdAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (deadline.Elapsed < ReadyTimeout(options))
            {
                await Task.Delay(20, ct).ConfigureAwait(false);
                continue;
            }
            catch (HttpRequestException ex)
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw new AnvilStartException($"anvil on port {port} did not answer within {ReadyTimeout(options).TotalSeconds:0} s: {ex.Message}");
            }
            if (id != options.ChainId)
            {
                // Someone else's node on a fixed --port.
                await node.DisposeAsync().ConfigureAwait(false);
                throw new DefiRiskException($"the node on port {port} answers chain id {id}, expected {options.ChainId}", ExitCodes.ChainError);
            }
            return node;
        }
    }

    /// <summary>30 s, plus a second per 2 MB of a state to load: anvil answers only once it has read it (a
    /// 100,000-borrower state is GBs of JSON), and on a loaded machine a 377 MB state took more than the 67 s that a
    /// second per 10 MB allowed. An anvil that fails to load exits, which ends the wait at once.</summary>
    private static TimeSpan ReadyTimeout(AnvilOptions options) =>
        TimeSpan.FromSeconds(30 + (options.LoadStatePath is { } path && File.Exists(path) ? new FileInfo(path).Length / 2_000_000 : 0));

    private static IEnumerable<string> Arguments(AnvilOptions o, int port)
    {
        yield return "--port"; yield return port.ToString();
        yield return "--host"; yield return "127.0.0.1";
        yield return "--chain-id"; yield return o.ChainId.ToString();
        yield return "--accounts"; yield return o.Accounts.ToString();
        yield return "--silent";
        if (o.Timestamp is { } ts) { yield return "--timestamp"; yield return ts.ToString(); }
        if (o.NoMining) yield return "--no-mining";
        if (o.AutoImpersonate) yield return "--auto-impersonate";
        if (o.GasLimit is { } gl) { yield return "--gas-limit"; yield return gl.ToString(); }
        if (o.BaseFee is { } bf) { yield return "--base-fee"; yield return bf.ToString(); yield return "--gas-price"; yield return bf.ToString(); }
        if (o.Order is { } order) { yield return "--order"; yield return order; }
        // anvil keeps recent states in memory and writes older ones to ~/.foundry/anvil/tmp, one full copy of the
        // state per block (3.1 GB for one mainnet-like cascade replay), and leaves them behind when the node is killed:
        // that filled the CI disk. Our reads are at the head or a recent pinned block, within the in-memory window.
        if (o.PruneHistory) yield return "--prune-history";
        else { yield return "--max-persisted-states"; yield return "0"; }
        if (o.LoadStatePath is { } state) { yield return "--load-state"; yield return state; }
        if (o.ForkUrl is { } fork)
        {
            yield return "--fork-url"; yield return fork;
            if (!o.ForkStorageCaching) yield return "--no-storage-caching";
        }
        if (o.ForkBlockNumber is { } forkBlock)
        {
            if (o.ForkUrl is null) throw new DefiRiskException("--fork-block-number needs a fork URL");
            yield return "--fork-block-number"; yield return forkBlock.ToString();
        }
    }

    private static bool PortIsFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // ---- anvil / evm helpers -------------------------------------------------------------------

    public async Task<long> BlockNumberAsync() => (long)AnvilRpc.Quantity(await Rpc.CallAsync("eth_blockNumber").ConfigureAwait(false));

    /// <summary>Timestamp (unix seconds) of the latest block.</summary>
    public async Task<long> LatestTimestampAsync()
    {
        var block = await Rpc.CallAsync("eth_getBlockByNumber", "latest", false).ConfigureAwait(false);
        return (long)AnvilRpc.Quantity(block.GetProperty("timestamp"));
    }

    /// <summary>Writes one 32-byte storage word (<c>anvil_setStorageAt</c>); emits no event.</summary>
    public Task SetStorageAtAsync(string address, BigInteger slot, BigInteger value) =>
        Rpc.CallAsync("anvil_setStorageAt", address, AnvilRpc.Word(slot), AnvilRpc.Word(value));

    public async Task<BigInteger> GetStorageAtAsync(string address, BigInteger slot) =>
        AnvilRpc.Quantity(await Rpc.CallAsync("eth_getStorageAt", address, AnvilRpc.Word(slot), "latest").ConfigureAwait(false));

    public Task SetBalanceAsync(string address, BigInteger wei) => Rpc.CallAsync("anvil_setBalance", address, AnvilRpc.Hex(wei));

    public Task ImpersonateAsync(string address) => Rpc.CallAsync("anvil_impersonateAccount", address);

    /// <summary><c>evm_snapshot</c>: an id to <see cref="RevertAsync"/> to (once; take a new snapshot after reverting).</summary>
    public async Task<string> SnapshotAsync() => (await Rpc.CallAsync("evm_snapshot").ConfigureAwait(false)).GetString()!;

    public async Task<bool> RevertAsync(string snapshotId) => (await Rpc.CallAsync("evm_revert", snapshotId).ConfigureAwait(false)).GetBoolean();

    /// <summary>The whole chain state as anvil's gzip bytes (<c>anvil_dumpState</c>).</summary>
    public async Task<byte[]> DumpStateAsync()
    {
        var hex = (await Rpc.CallAsync("anvil_dumpState").ConfigureAwait(false)).GetString()!;
        return Convert.FromHexString(hex.AsSpan(2));
    }

    /// <summary>The state as anvil's JSON (what <c>--load-state</c> reads).</summary>
    public async Task<byte[]> DumpStateJsonAsync()
    {
        var gz = await DumpStateAsync().ConfigureAwait(false);
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var output = new MemoryStream();
        await input.CopyToAsync(output).ConfigureAwait(false);
        return output.ToArray();
    }

    /// <summary>Loads a state (anvil's gzip bytes or plain JSON) into the running node (<c>anvil_loadState</c>).</summary>
    public async Task LoadStateAsync(byte[] state)
    {
        var gz = state.Length > 2 && state[0] == 0x1f && state[1] == 0x8b ? state : Gzip(state);
        var ok = await Rpc.CallAsync("anvil_loadState", "0x" + Convert.ToHexString(gz).ToLowerInvariant()).ConfigureAwait(false);
        if (ok.ValueKind == JsonValueKind.False) throw new DefiRiskException("anvil_loadState refused the state", ExitCodes.ChainError);
    }

    /// <summary>The next mined block gets exactly this timestamp (<c>evm_setNextBlockTimestamp</c>).</summary>
    public Task SetNextBlockTimestampAsync(long unixSeconds) => Rpc.CallAsync("evm_setNextBlockTimestamp", unixSeconds);

    /// <summary>Moves the node's clock (<c>anvil_setTime</c>); later blocks count on from there with the wall clock.</summary>
    public Task SetTimeAsync(long unixSeconds) => Rpc.CallAsync("anvil_setTime", unixSeconds);

    /// <summary>Mines one block, with the given timestamp when set (<c>evm_mine</c>).</summary>
    public Task MineAsync(long? timestamp = null) =>
        timestamp is { } ts ? Rpc.CallAsync("evm_mine", new Dictionary<string, object> { ["timestamp"] = ts }) : Rpc.CallAsync("evm_mine");

    public Task SetAutomineAsync(bool enabled) => Rpc.CallAsync("evm_setAutomine", enabled);

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest)) gz.Write(data);
        return output.ToArray();
    }

    // ---- lifetime --------------------------------------------------------------------------------

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    private const int SigTerm = 15;

    /// <summary>SIGTERM (anvil writes <c>--dump-state</c> only then), then SIGKILL after 5 s.</summary>
    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        Rpc.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                if (OperatingSystem.IsWindows()) _process.Kill(entireProcessTree: true);
                else _ = SysKill(_process.Id, SigTerm);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try { await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped: nothing to stop.
        }
        _process.Dispose();
    }

    private sealed class AnvilStartException(string message) : Exception(message);

    /// <summary>Collects anvil's stderr lines for the error message if it dies at start.</summary>
    private sealed class StringWriterBuffer
    {
        private readonly System.Text.StringBuilder _sb = new();
        public void Append(string line) { lock (_sb) { if (_sb.Length < 4000) _sb.AppendLine(line); } }
        public string Text { get { lock (_sb) return _sb.ToString(); } }
    }
}
