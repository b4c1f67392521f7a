// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IClassifierConsumer
/// @notice An example dApp that acts only on classifications proven on-chain (see DigitsClassifierConsumer).
interface IClassifierConsumer {
    /// @notice Emitted when `classify` reads a verified output and derives `label`.
    event Classified(bytes32 indexed inputHash, uint8 label);

    /// @notice No verified output exists for this input under the consumer's model.
    error ConsumerOutputNotVerified(bytes32 inputHash);
    /// @notice The number of classes must be at least 1.
    error ConsumerInvalidNumClasses(uint8 numClasses);

    /// @notice Classifies `input` from its verified output, stores the label and emits Classified.
    /// @param input Input words (packed values or the Poseidon commitment), exactly as posted with the task.
    /// @return label Index of the largest logit (first maximum on ties).
    function classify(uint256[] calldata input) external returns (uint8 label);

    /// @notice The label `classify` would return for `input`, without storing it.
    function predictedClass(uint256[] calldata input) external view returns (uint8 label);

    /// @notice Label derived by the last `classify` call (0 before any).
    function lastLabel() external view returns (uint8);

    /// @notice The trusted model id.
    function modelId() external view returns (uint256);

    /// @notice Number of logits read from the output.
    function numClasses() external view returns (uint8);
}
