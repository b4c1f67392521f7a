// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGroth16Verifier} from "../../contracts/interfaces/IGroth16Verifier.sol";

/// @title MockGroth16Verifier
/// @notice TEST ONLY. A verifier whose answer is set by the test, for hub paths that do not depend on real
///         cryptography (lengths, staking, rewards). Proof soundness is tested against the generated verifier.
/// @dev If `expectedInputsHash` is set, the mock accepts only public inputs whose packed hash matches it, which
///      lets tests check exactly what the hub passed (including the prover address packed into the last
///      output word at bit 88).
contract MockGroth16Verifier is IGroth16Verifier {
    uint256 private immutable _publicInputCount;
    bool private _result = true;
    bytes32 private _expectedInputsHash;

    /// @param count Value returned by publicInputCount().
    constructor(uint256 count) {
        _publicInputCount = count;
    }

    /// @notice Sets the answer of verifyProof.
    function setResult(bool result) external {
        _result = result;
    }

    /// @notice Requires verifyProof's public inputs to hash (abi.encodePacked) to `inputsHash`; zero disables.
    function setExpectedInputsHash(bytes32 inputsHash) external {
        _expectedInputsHash = inputsHash;
    }

    /// @inheritdoc IGroth16Verifier
    function verifyProof(uint256[8] calldata, uint256[] calldata publicInputs) external view returns (bool) {
        if (publicInputs.length != _publicInputCount) {
            revert Groth16VerifierWrongPublicInputCount(publicInputs.length, _publicInputCount);
        }
        if (_expectedInputsHash != bytes32(0) && keccak256(abi.encodePacked(publicInputs)) != _expectedInputsHash) {
            return false;
        }
        return _result;
    }

    /// @inheritdoc IGroth16Verifier
    function publicInputCount() external view returns (uint256) {
        return _publicInputCount;
    }
}
