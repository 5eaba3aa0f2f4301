// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice DefiRisk's read lens. Never deployed: the indexer runs it as eth_call code at an unused address through a
/// state override, so one eth_call carries many view calls at the pinned block. Each call runs as a staticcall; its
/// success flag and return (or revert) data come back as they are, as separate eth_calls would give them.
contract ReadLens {
    struct Call {
        address target;
        bytes data;
    }

    struct Result {
        bool success;
        bytes data;
    }

    function read(Call[] calldata calls) external view returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i; i < calls.length; ++i) {
            (results[i].success, results[i].data) = calls[i].target.staticcall(calls[i].data);
        }
    }
}
