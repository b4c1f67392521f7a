// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IVerifiedOutputs
/// @notice What dApps read: model outputs proven on-chain, keyed by (model id, input hash).
/// @dev `inputHash` is keccak256(abi.encodePacked(input)) over the packed input words.
interface IVerifiedOutputs {
    /// @notice Emitted when a proof for (modelId, inputHash) verifies and its output is recorded.
    event OutputVerified(
        uint256 indexed modelId, bytes32 indexed inputHash, address indexed prover, uint256[] output
    );

    /// @notice Returns whether an output is recorded for (modelId, inputHash), and the packed output words.
    function verifiedOutput(uint256 modelId, bytes32 inputHash)
        external
        view
        returns (bool verified, uint256[] memory output);
}
