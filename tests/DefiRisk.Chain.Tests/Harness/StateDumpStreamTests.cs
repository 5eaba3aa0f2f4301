using System.Security.Cryptography;
using System.Text;
using DefiRisk.Core;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Harness;

/// <summary>
/// anvil_dumpState's answer is decoded to disk as it streams: a 100,000-borrower state was GBs of hex and failed as one
/// MemoryStream ("Stream was too long", 16 GB RSS). No multi-GB dump is needed to show it: the decoder's allocations stay
/// at its buffers while it decodes 64 MiB, delivered in odd-sized slices that split the envelope and hex pairs.
/// </summary>
public sealed class StateDumpStreamTests
{
    [Fact]
    public async Task A_dump_far_larger_than_the_buffers_is_decoded_exactly_with_bounded_allocations()
    {
        const long size = 64L << 20;
        var expected = SyntheticAnswer.Hash(size);
        using var answer = new SyntheticAnswer(size, readSize: 4_099);
        using var sink = new HashingSink();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = await StateDumpStream.DecodeHexResultAsync(answer, sink, "anvil_dumpState");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(size, written);
        Assert.Equal(size, sink.Length);
        Assert.Equal(expected, sink.Hash());
        // Its buffers are 1 MiB + 0.5 MiB; holding the dump would allocate at least its 64 MiB.
        Assert.True(allocated < 4L << 20, $"allocated {allocated:N0} bytes to decode {size:N0}");
    }

    [Fact]
    public async Task An_error_answer_is_one_clear_error_naming_the_method()
    {
        using var answer = new MemoryStream("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32603,\"message\":\"state too large\"}}"u8.ToArray());
        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => StateDumpStream.DecodeHexResultAsync(answer, Stream.Null, "anvil_dumpState"));
        Assert.Equal("anvil_dumpState failed: state too large", ex.Message);
        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
    }

    [Theory]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x1f8b0", "ended inside the result")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x1f8\"}", "odd number of hex digits")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x1f8z\"}", "non-hex character")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":true}", "not a hex string")]
    public async Task A_truncated_or_malformed_dump_fails_instead_of_writing_a_short_state(string text, string message)
    {
        using var answer = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => StateDumpStream.DecodeHexResultAsync(answer, Stream.Null, "anvil_dumpState"));
        Assert.Contains(message, ex.Message);
    }

    /// <summary>A JSON-RPC answer whose result is the hex of <c>size</c> seeded bytes, generated as it is read.</summary>
    private sealed class SyntheticAnswer(long size, int readSize) : Stream
    {
        private static readonly byte[] Prefix = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x"u8.ToArray();
        private static readonly byte[] Suffix = "\"}"u8.ToArray();
        private static readonly byte[] Digits = "0123456789abcdef"u8.ToArray();
        private readonly Random _bytes = new(11);
        private readonly byte[] _block = new byte[4096];
        private readonly byte[] _hex = new byte[8192];
        private int _hexStart, _hexLength;
        private long _position; // in the answer
        private long _decoded; // payload bytes generated

        public static byte[] Hash(long size)
        {
            var random = new Random(11);
            var block = new byte[4096];
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (long done = 0; done < size; done += block.Length)
            {
                random.NextBytes(block);
                hash.AppendData(block, 0, (int)Math.Min(block.Length, size - done));
            }
            return hash.GetHashAndReset();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var span = buffer[..Math.Min(buffer.Length, readSize)];
            var n = 0;
            while (n < span.Length)
            {
                if (_position < Prefix.Length)
                {
                    span[n++] = Prefix[_position++];
                    continue;
                }
                if (_hexStart == _hexLength && _decoded < size)
                {
                    _bytes.NextBytes(_block);
                    var take = (int)Math.Min(_block.Length, size - _decoded);
                    for (var i = 0; i < take; i++)
                    {
                        _hex[2 * i] = Digits[_block[i] >> 4];
                        _hex[2 * i + 1] = Digits[_block[i] & 15];
                    }
                    _hexStart = 0;
                    _hexLength = take * 2;
                    _decoded += take;
                }
                if (_hexStart < _hexLength)
                {
                    var k = Math.Min(span.Length - n, _hexLength - _hexStart);
                    _hex.AsSpan(_hexStart, k).CopyTo(span[n..]);
                    _hexStart += k;
                    n += k;
                    _position += k;
                    continue;
                }
                var suffixAt = _position - Prefix.Length - 2 * size;
                if (suffixAt >= Suffix.Length) break;
                span[n++] = Suffix[suffixAt];
                _position++;
            }
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Counts and hashes what is written, keeping none of it.</summary>
    private sealed class HashingSink : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override long Length => _length;
        private long _length;

        public byte[] Hash() => _hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            _length += buffer.Length;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
