// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVerifiedOutputs} from "../../contracts/interfaces/IVerifiedOutputs.sol";

/// @title MockVerifiedOutputs
/// @notice TEST ONLY. An IVerifiedOutputs whose outputs are set directly, for consumer decoding tests.
contract MockVerifiedOutputs is IVerifiedOutputs {
    mapping(uint256 => mapping(bytes32 => uint256[])) private _outputs;
    mapping(uint256 => mapping(bytes32 => bool)) private _verified;

    function set(uint256 modelId, bytes32 inputHash, uint256[] calldata output) external {
        _verified[modelId][inputHash] = true;
        _outputs[modelId][inputHash] = output;
    }

    /// @inheritdoc IVerifiedOutputs
    function verifiedOutput(uint256 modelId, bytes32 inputHash) external view returns (bool, uint256[] memory) {
        return (_verified[modelId][inputHash], _outputs[modelId][inputHash]);
    }
}
