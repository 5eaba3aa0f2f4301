// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice The views of a Uniswap v3 pool the lens reads (the pool's own getters).
interface IUniswapV3PoolViews {
    function slot0() external view returns (uint160, int24, uint16, uint16, uint16, uint8, bool);
    function liquidity() external view returns (uint128);
    function fee() external view returns (uint24);
    function tickSpacing() external view returns (int24);
    function token0() external view returns (address);
    function token1() external view returns (address);
    function tickBitmap(int16 wordPosition) external view returns (uint256);
    function ticks(int24 tick) external view returns (uint128, int128, uint256, uint256, int56, uint160, uint32, bool);
}

/// @notice DefiRisk's Uniswap v3 lens. Never deployed: the indexer runs it as eth_call code at an unused address through
/// a state override, so one eth_call reads a whole pool at the pinned block (head, bitmap words, initialized ticks) where
/// plain reads take three dependent rounds. Reverts when the pool is not one it can read; the indexer then reads the
/// pool with plain rounds, which name the failure.
contract UniswapV3Lens {
    int24 private constant MIN_TICK = -887272;
    int24 private constant MAX_TICK = 887272;

    /// @param radius bitmap words to read on each side of the current tick's word; negative: every word the spacing can use.
    /// @return out sqrtPriceX96, tick, liquidity, fee, tickSpacing, token0, token1, first word, last word, n, then n
    /// (tick, liquidityNet) pairs in ascending tick order; signed values as two's complement.
    function read(address pool, int256 radius) external view returns (uint256[] memory out) {
        IUniswapV3PoolViews p = IUniswapV3PoolViews(pool);
        (uint160 sqrtPriceX96, int24 tick,,,,,) = p.slot0();
        int24 spacing = p.tickSpacing();
        require(spacing > 0, "spacing");
        int256 first = wordOf(MIN_TICK, spacing);
        int256 last = wordOf(MAX_TICK, spacing);
        if (radius >= 0) {
            int256 current = wordOf(tick, spacing);
            if (current - radius > first) first = current - radius;
            if (current + radius < last) last = current + radius;
        }
        uint256[] memory words = new uint256[](uint256(last - first + 1));
        uint256 bits = 0;
        for (uint256 k = 0; k < words.length; ++k) {
            uint256 w = p.tickBitmap(int16(first + int256(k)));
            words[k] = w;
            for (; w != 0; w &= w - 1) ++bits;
        }
        out = new uint256[](10 + 2 * bits);
        out[0] = sqrtPriceX96;
        out[1] = uint256(int256(tick));
        out[2] = p.liquidity();
        out[3] = p.fee();
        out[4] = uint256(int256(spacing));
        out[5] = uint160(p.token0());
        out[6] = uint160(p.token1());
        out[7] = uint256(first);
        out[8] = uint256(last);
        out[9] = bits;
        readTicks(p, words, first, spacing, out);
    }

    function readTicks(IUniswapV3PoolViews p, uint256[] memory words, int256 first, int24 spacing, uint256[] memory out) private view {
        uint256 o = 10;
        for (uint256 k = 0; k < words.length; ++k) {
            uint256 w = words[k];
            for (uint256 bit = 0; w != 0; ++bit) {
                if (w & 1 == 1) {
                    int24 t = int24(((first + int256(k)) * 256 + int256(bit)) * spacing);
                    (, int128 net,,,,,, bool initialized) = p.ticks(t);
                    // A set bit whose tick is not initialized: the plain reads report it.
                    require(initialized, "tick");
                    out[o] = uint256(int256(t));
                    out[o + 1] = uint256(int256(net));
                    o += 2;
                }
                w >>= 1;
            }
        }
    }

    /// @dev The bitmap word of a tick: the tick divided by the spacing, rounded toward negative infinity, over 256.
    function wordOf(int24 tick, int24 spacing) private pure returns (int256) {
        int256 compressed = int256(tick) / spacing;
        if (tick < 0 && int256(tick) % spacing != 0) --compressed;
        return compressed >> 8;
    }
}
