// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IVerifiedOutputs
/// @notice What dApps read: model outputs proven on-chain, keyed by (model id, input commitment).
/// @dev `inputCommitment` is keccak256(abi.encodePacked(input)) over the input's public-input words: the packed
///      input values for public-input models, or the single Poseidon commitment for committed-input models.
interface IVerifiedOutputs {
    /// @notice Emitted when a proof for (modelId, inputCommitment) verifies and its output is recorded.
    event OutputVerified(
        uint256 indexed modelId, bytes32 indexed inputCommitment, address indexed prover, uint256[] output
    );

    /// @notice Whether an output is recorded for (modelId, inputCommitment), and its packed output words.
    function verifiedOutput(uint256 modelId, bytes32 inputCommitment)
        external
        view
        returns (bool verified, uint256[] memory output);
}
