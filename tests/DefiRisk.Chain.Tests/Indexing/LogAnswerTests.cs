using System.Net;
using System.Text;
using DefiRisk.Chain.Rpc;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// eth_getLogs answers are read token by token and each log handed on as it is read (a 100,000-borrower book answers
/// ~85 MB; a document and a list of its logs held about 400 MB, issue 13 item 6). The answers come from a loopback server,
/// in the shapes nodes send: fields in any order, extra fields (objects and arrays too), no <c>data</c>, upper-case hex.
/// </summary>
public sealed class LogAnswerTests
{
    private static readonly RpcOptions Fast = new() { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(5), RequestTimeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task Each_log_of_an_answer_is_handed_on_in_order_with_its_fields()
    {
        const string answer = """
            {"jsonrpc":"2.0","id":1,"result":[
              {"address":"0xAbC0000000000000000000000000000000000001","topics":["0xAA","0x0000000000000000000000000000000000000000000000000000000000000BEE"],
               "data":"0x01","blockNumber":"0x10","logIndex":"0x2","removed":false,"extra":{"nested":[1,{"x":"y"}]}},
              {"logIndex":"0x0","blockHash":"0xff","topics":[],"extra":[[],{}],"blockNumber":"0x11","address":"0x0000000000000000000000000000000000000002"}
            ]}
            """;
        await using var server = new FixedAnswer(answer);
        using var rpc = new EthRpc(server.Url, Fast);
        var logs = new List<LogEntry>();

        var count = await rpc.GetLogsAsync("0x0000000000000000000000000000000000000001", ["0xaa"], 1, 20, logs.Add, CancellationToken.None);

        Assert.Equal(2, count);
        Assert.Equal(2, logs.Count);
        Assert.Equal("0xabc0000000000000000000000000000000000001", logs[0].Address);
        Assert.Equal(["0xaa", "0x0000000000000000000000000000000000000000000000000000000000000bee"], logs[0].Topics);
        Assert.Equal(("0x01", 16L, 2L), (logs[0].Data, logs[0].BlockNumber, logs[0].LogIndex));
        Assert.Equal("0x0000000000000000000000000000000000000002", logs[1].Address);
        Assert.Empty(logs[1].Topics);
        Assert.Equal(("0x", 17L, 0L), (logs[1].Data, logs[1].BlockNumber, logs[1].LogIndex));
    }

    [Fact]
    public async Task A_large_answer_is_handed_on_log_by_log_to_its_last_log()
    {
        const int n = 50_000;
        var json = new StringBuilder("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[");
        for (var i = 0; i < n; i++)
            json.Append(i == 0 ? "" : ",")
                .Append("{\"address\":\"0x00000000000000000000000000000000000000a1\",\"topics\":[\"0xb3\",\"0x")
                .Append(i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture))
                .Append("\"],\"data\":\"0x").Append(new string('0', 256)).Append("\",\"blockNumber\":\"0x")
                .Append((i / 150).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("\",\"logIndex\":\"0x")
                .Append((i % 150).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append("\",\"removed\":false}");
        await using var server = new FixedAnswer(json.Append("]}").ToString());
        using var rpc = new EthRpc(server.Url, Fast);
        var seen = 0;
        var inOrder = true;

        var count = await rpc.GetLogsAsync("0x00000000000000000000000000000000000000a1", ["0xb3"], 0, 1_000, log =>
        {
            inOrder &= Convert.ToInt64(log.Topics[1][2..], 16) == seen && log.BlockNumber == seen / 150 && log.LogIndex == seen % 150;
            seen++;
        }, CancellationToken.None);

        Assert.Equal(n, count);
        Assert.Equal(n, seen);
        Assert.True(inOrder);
    }

    [Fact]
    public async Task An_error_answer_is_an_rpc_error_with_its_code_message_and_data()
    {
        await using var server = new FixedAnswer(
            """{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"query returned more than 10000 results","data":{"from":"0x1","to":"0x7"}}}""");
        using var rpc = new EthRpc(server.Url, Fast);

        var ex = await Assert.ThrowsAsync<RpcErrorException>(() =>
            rpc.GetLogsAsync("0x00000000000000000000000000000000000000a1", ["0xb3"], 1, 7, _ => { }, CancellationToken.None));

        Assert.Equal(-32005, ex.Code);
        Assert.Equal("query returned more than 10000 results", ex.RpcMessage);
        Assert.Contains("\"to\":\"0x7\"", ex.RpcData, StringComparison.Ordinal);
    }

    /// <summary>A loopback server that answers every request with the same body.</summary>
    private sealed class FixedAnswer(string answer) : LoopbackProxy("http://127.0.0.1:1/")
    {
        protected override Task HandleAsync(HttpListenerContext context, byte[] body) => WriteAsync(context, answer);
    }
}
