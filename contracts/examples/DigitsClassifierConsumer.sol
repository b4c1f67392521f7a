// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVerifiedOutputs} from "../interfaces/IVerifiedOutputs.sol";
import {PackedInt8} from "../libraries/PackedInt8.sol";
import {IClassifierConsumer} from "../interfaces/IClassifierConsumer.sol";

/// @title DigitsClassifierConsumer
/// @notice Example dApp: acts on a digit classification only if the model's output for that exact input was
///         proven on-chain. The label is the argmax of the proven int8 logits.
/// @dev Trusts one model id in one IVerifiedOutputs source; it never reads outputs of other models.
contract DigitsClassifierConsumer is IClassifierConsumer {
    /// @dev Source of verified outputs (the MlproofMarket).
    IVerifiedOutputs private immutable _outputs;
    /// @dev Model whose outputs are trusted.
    uint256 private immutable _modelId;
    /// @dev Number of logits in the model's output.
    uint8 private immutable _numClasses;
    /// @dev Label derived by the last `classify` call.
    uint8 private _lastLabel;

    /// @notice Deploys the consumer.
    /// @param outputsSource Source of verified outputs (the MlproofMarket).
    /// @param trustedModelId Registered model whose outputs are trusted.
    /// @param classCount Number of logits in the model output (>= 1).
    constructor(IVerifiedOutputs outputsSource, uint256 trustedModelId, uint8 classCount) {
        if (classCount == 0) revert ConsumerInvalidNumClasses(classCount);
        _outputs = outputsSource;
        _modelId = trustedModelId;
        _numClasses = classCount;
    }

    /// @notice Classifies `input` from its verified output, stores the label and emits Classified.
    /// @dev Reverts with ConsumerOutputNotVerified if no proof for (modelId, input) was accepted.
    /// @param input Input words (packed values or the Poseidon commitment), exactly as posted with the task.
    /// @return label Index of the largest logit (first maximum on ties).
    function classify(uint256[] calldata input) external returns (uint8 label) {
        bytes32 inputHash;
        (inputHash, label) = _predict(input);
        _lastLabel = label;
        emit Classified(inputHash, label);
    }

    /// @notice The label `classify` would return for `input`, without storing it.
    /// @dev Reverts with ConsumerOutputNotVerified if no proof for (modelId, input) was accepted.
    /// @param input Packed input words.
    function predictedClass(uint256[] calldata input) external view returns (uint8 label) {
        (, label) = _predict(input);
    }

    /// @notice Label derived by the last `classify` call (0 before any).
    function lastLabel() external view returns (uint8) {
        return _lastLabel;
    }

    /// @notice The verified-output source.
    function outputs() external view returns (IVerifiedOutputs) {
        return _outputs;
    }

    /// @notice The trusted model id.
    function modelId() external view returns (uint256) {
        return _modelId;
    }

    /// @notice Number of logits read from the output.
    function numClasses() external view returns (uint8) {
        return _numClasses;
    }

    /// @dev Reads the verified output for `input` and returns its hash and argmax.
    function _predict(uint256[] calldata input) private view returns (bytes32 inputHash, uint8 label) {
        inputHash = keccak256(abi.encodePacked(input));
        (bool verified, uint256[] memory output) = _outputs.verifiedOutput(_modelId, inputHash);
        if (!verified) revert ConsumerOutputNotVerified(inputHash);
        label = PackedInt8.argmax(output, _numClasses);
    }
}
