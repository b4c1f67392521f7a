// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGroth16BatchVerifier} from "../../contracts/interfaces/IGroth16BatchVerifier.sol";
import {IGroth16Verifier} from "../../contracts/interfaces/IGroth16Verifier.sol";

/// @title MockGroth16Verifier
/// @notice TEST ONLY. A verifier whose answer is set by the test, for hub paths that do not depend on real
///         cryptography (lengths, staking, rewards). Proof soundness is tested against the generated verifier.
/// @dev If `expectedInputsHash` is set, the mock accepts only public inputs whose packed hash matches it, which
///      lets tests check exactly what the hub passed (including the prover address packed into the last
///      output word at bit 88). A batch is checked proof by proof the same way: against the per-proof hashes
///      set by `setExpectedBatchInputsHashes` (which then also fix the batch size), or else each proof's inputs
///      against `expectedInputsHash`.
contract MockGroth16Verifier is IGroth16Verifier, IGroth16BatchVerifier {
    uint256 private immutable _publicInputCount;
    bool private _result = true;
    bytes32 private _expectedInputsHash;
    bytes32[] private _expectedBatchHashes;

    /// @param count Value returned by publicInputCount().
    constructor(uint256 count) {
        _publicInputCount = count;
    }

    /// @notice Sets the answer of verifyProof and verifyBatch.
    function setResult(bool result) external {
        _result = result;
    }

    /// @notice Requires verifyProof's public inputs to hash (abi.encodePacked) to `inputsHash`; zero disables.
    function setExpectedInputsHash(bytes32 inputsHash) external {
        _expectedInputsHash = inputsHash;
    }

    /// @notice Requires verifyBatch to get exactly `hashes.length` proofs, the public inputs of proof `i` hashing
    ///         (abi.encodePacked) to `hashes[i]`; an empty list falls back to `expectedInputsHash` for each proof.
    function setExpectedBatchInputsHashes(bytes32[] calldata hashes) external {
        _expectedBatchHashes = hashes;
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

    /// @inheritdoc IGroth16BatchVerifier
    function verifyBatch(uint256[8][] calldata proofs, uint256[] calldata publicInputs) external view returns (bool) {
        uint256 n = proofs.length;
        if (n == 0) revert Groth16VerifierEmptyBatch();
        uint256 l = _publicInputCount;
        if (publicInputs.length != n * l) revert Groth16VerifierWrongPublicInputCount(publicInputs.length, n * l);
        uint256 expected = _expectedBatchHashes.length;
        if (expected != 0 && expected != n) return false;
        for (uint256 i; i < n; ++i) {
            bytes32 want = expected != 0 ? _expectedBatchHashes[i] : _expectedInputsHash;
            if (want != bytes32(0) && keccak256(abi.encodePacked(publicInputs[i * l:(i + 1) * l])) != want) {
                return false;
            }
        }
        return _result;
    }

    /// @inheritdoc IGroth16BatchVerifier
    /// @dev The real derivation, so that a test reading coefficients gets the generated verifier's values.
    function batchCoefficients(uint256[8][] calldata proofs, uint256[] calldata publicInputs)
        external
        pure
        returns (uint256[] memory coefficients)
    {
        bytes32 seed = keccak256(abi.encodePacked(vkHash(), proofs.length, proofs, publicInputs));
        coefficients = new uint256[](proofs.length);
        for (uint256 i; i < proofs.length; ++i) {
            coefficients[i] = i == 0 ? 1 : uint256(keccak256(abi.encodePacked(seed, i))) >> 128;
        }
    }

    /// @inheritdoc IGroth16BatchVerifier
    /// @dev No verifying key: a fixed tag.
    function vkHash() public pure returns (bytes32) {
        return keccak256("MockGroth16Verifier");
    }

    /// @inheritdoc IGroth16Verifier
    function publicInputCount() external view returns (uint256) {
        return _publicInputCount;
    }
}
