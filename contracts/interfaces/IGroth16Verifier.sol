// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGroth16Verifier
/// @notice A Groth16 verifier over BN254 for one circuit (one verifying key).
/// @dev Implementations are generated from a verifying key by `mlproof verifier`; see contracts/generated/.
interface IGroth16Verifier {
    /// @notice The number of public inputs does not match the verifying key.
    /// @param got Number of public inputs supplied.
    /// @param expected Number of public inputs the verifying key expects.
    error Groth16VerifierWrongPublicInputCount(uint256 got, uint256 expected);

    /// @notice A public input is not a canonical BN254 scalar field element (it is >= r).
    /// @param index Position of the offending public input.
    error Groth16VerifierPublicInputNotInField(uint256 index);

    /// @notice A proof coordinate is not a canonical BN254 base field element (it is >= q).
    /// @param index Position of the offending coordinate in the proof array.
    error Groth16VerifierProofCoordinateNotInField(uint256 index);

    /// @notice Verifies a Groth16 proof.
    /// @param proof The proof as [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    /// @param publicInputs The public inputs, each < r, in circuit order.
    /// @return valid True iff the proof verifies (invalid curve points and a failed pairing return false).
    function verifyProof(uint256[8] calldata proof, uint256[] calldata publicInputs)
        external
        view
        returns (bool valid);

    /// @notice Number of public inputs the verifying key expects.
    function publicInputCount() external view returns (uint256);
}
