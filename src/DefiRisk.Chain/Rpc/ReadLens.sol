// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice DefiRisk's read lens. Never deployed: the indexer runs it as eth_call code at an unused address through a
/// state override, so one eth_call carries many view calls at the pinned block. Each call runs as a staticcall; its
/// success flag and return (or revert) data come back as they are, as separate eth_calls would give them.
/// @dev Packed, not ABI-encoded, so a round of thousands of reads fits one request body (an ABI (address, bytes) call
/// costs ~160 bytes, a packed one 4 + its call data). Call data, all big-endian:
///   uint16 n, then n addresses (20 bytes each): the targets;
///   then until the end, per call: uint16 target index, uint16 data length, the data.
/// Return data, per call in order: uint32 (success << 31 | return data length), then the return data.
contract ReadLens {
    fallback() external {
        assembly {
            let targets := 2
            let p := add(targets, mul(shr(240, calldataload(0)), 20))
            let end := calldatasize()
            let start := mload(0x40)
            let o := start
            for {} lt(p, end) {} {
                let head := shr(224, calldataload(p))
                let target := shr(96, calldataload(add(targets, mul(shr(16, head), 20))))
                let size := and(head, 0xffff)
                p := add(p, 4)
                // The input goes where the answer will be; the answer overwrites it.
                calldatacopy(add(o, 4), p, size)
                p := add(p, size)
                let ok := staticcall(gas(), target, add(o, 4), size, 0, 0)
                let answer := returndatasize()
                mstore(o, shl(224, or(shl(31, ok), answer)))
                returndatacopy(add(o, 4), 0, answer)
                o := add(o, add(4, answer))
            }
            return(start, sub(o, start))
        }
    }
}
