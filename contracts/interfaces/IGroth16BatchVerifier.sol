// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGroth16BatchVerifier
/// @notice A Groth16 verifier (BN254, one verifying key) that also checks many proofs at once with one randomized
///         multi-pairing. See docs/batch-verification.md for the Fiat–Shamir derivation and the soundness bound.
/// @dev Generated from a verifying key by `mlproof verifier`, in one contract with `IGroth16Verifier` (whose errors
///      `verifyBatch` also uses). Standalone, so that `sol!` binds it without resolving imports.
interface IGroth16BatchVerifier {
    /// @notice A batch holds no proof.
    error Groth16VerifierEmptyBatch();

    /// @notice keccak256 of the verifying key's words (docs/batch-verification.md), the first word hashed into
    ///         every batch's Fiat–Shamir seed.
    function vkHash() external pure returns (bytes32);

    /// @notice The coefficients the batch check combines `proofs` with: `r_0 = 1`, and for `i >= 1`
    ///         `r_i = uint256(keccak256(abi.encodePacked(seed, i))) >> 128` with
    ///         `seed = keccak256(abi.encodePacked(vkHash(), proofs.length, proofs, publicInputs))`.
    /// @param proofs Proofs, each [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y].
    /// @param publicInputs Every proof's public inputs, proof after proof (`proofs.length * publicInputCount()`).
    function batchCoefficients(uint256[8][] calldata proofs, uint256[] calldata publicInputs)
        external
        pure
        returns (uint256[] memory coefficients);

    /// @notice Verifies every proof of a batch: true iff the randomized combination of their pairing equations
    ///         holds, which for a batch with an invalid proof happens with probability at most 2^-128 per seed.
    /// @param proofs Proofs, each [A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y], each coordinate < q.
    /// @param publicInputs Every proof's public inputs, each < r, proof after proof.
    /// @return valid True iff the batch verifies (invalid curve points and a failed pairing return false).
    function verifyBatch(uint256[8][] calldata proofs, uint256[] calldata publicInputs)
        external
        view
        returns (bool valid);
}
