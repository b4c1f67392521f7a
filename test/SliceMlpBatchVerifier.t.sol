// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IGroth16BatchVerifier} from "../contracts/interfaces/IGroth16BatchVerifier.sol";
import {IGroth16Verifier} from "../contracts/interfaces/IGroth16Verifier.sol";
import {SliceMlpVerifier} from "../contracts/generated/SliceMlpVerifier.sol";

/// @notice The generated batch verifier accepts the 64-proof batch made by the Rust prover
///         (`test/fixtures/slice_mlp_batch.json`), derives the same Fiat–Shamir coefficients as Rust, and rejects a
///         batch with any one proof or input tampered with.
contract SliceMlpBatchVerifierTest is Test {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @dev Public inputs per slice-model proof: input (3) ++ output (1).
    uint256 internal constant L = 4;

    SliceMlpVerifier internal verifier;
    string internal json;
    uint256 internal n;
    uint256[] internal flatProofs;
    uint256[] internal flatInputs;

    function setUp() public {
        verifier = new SliceMlpVerifier();
        json = vm.readFile("test/fixtures/slice_mlp_batch.json");
        n = vm.parseJsonUint(json, ".n");
        flatProofs = vm.parseJsonUintArray(json, ".proofs");
        flatInputs = vm.parseJsonUintArray(json, ".publicInputs");
    }

    /// @dev Proofs `from .. from + size - 1` of the fixture (cyclically), and their public inputs.
    function _batch(uint256 from, uint256 size) internal view returns (uint256[8][] memory p, uint256[] memory x) {
        p = new uint256[8][](size);
        x = new uint256[](size * L);
        for (uint256 i; i < size; ++i) {
            uint256 k = (from + i) % n;
            for (uint256 w; w < 8; ++w) {
                p[i][w] = flatProofs[k * 8 + w];
            }
            for (uint256 j; j < L; ++j) {
                x[i * L + j] = flatInputs[k * L + j];
            }
        }
    }

    /// @dev A tampered batch must not verify: either `false`, or a revert from the verifier.
    function _accepts(uint256[8][] memory p, uint256[] memory x) internal view returns (bool) {
        try verifier.verifyBatch(p, x) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    function test_FixtureBatchVerifies() public view {
        assertEq(n, 64);
        (uint256[8][] memory p, uint256[] memory x) = _batch(0, n);
        assertTrue(verifier.verifyBatch(p, x));
        for (uint256 size = 1; size <= 32; size *= 2) {
            (p, x) = _batch(size, size);
            assertTrue(verifier.verifyBatch(p, x), "prefix batch");
        }
    }

    /// @dev The Fiat–Shamir derivation agrees across Rust (the fixture) and Solidity.
    function test_CoefficientsAgreeWithRust() public view {
        assertEq(verifier.vkHash(), vm.parseJsonBytes32(json, ".vkHash"));
        (uint256[8][] memory p, uint256[] memory x) = _batch(0, n);
        assertEq(verifier.batchCoefficients(p, x), vm.parseJsonUintArray(json, ".coefficients"));
        (p, x) = _batch(0, 8);
        assertEq(verifier.batchCoefficients(p, x), vm.parseJsonUintArray(json, ".coefficients8"));
    }

    function test_EachMutatedProofWordFails() public view {
        for (uint256 i; i < 4; ++i) {
            for (uint256 w; w < 8; ++w) {
                (uint256[8][] memory p, uint256[] memory x) = _batch(0, 4);
                p[i][w] = addmod(p[i][w], 1, Q);
                assertFalse(_accepts(p, x), "mutated proof word verified");
            }
        }
    }

    function test_EachMutatedPublicInputFails() public view {
        for (uint256 j; j < 4 * L; ++j) {
            (uint256[8][] memory p, uint256[] memory x) = _batch(0, 4);
            x[j] = addmod(x[j], 1, R);
            assertFalse(_accepts(p, x), "mutated input verified");
        }
    }

    /// @dev A valid proof reused for another statement fails; a proof and statement repeated verbatim verify (each
    ///      equation holds) — the market refuses a repeated task itself (test/BatchFulfil.t.sol).
    function test_DuplicatedProof() public view {
        (uint256[8][] memory p, uint256[] memory x) = _batch(0, 4);
        p[2] = p[1];
        assertFalse(_accepts(p, x), "proof reused for another statement");
        (p, x) = _batch(0, 4);
        p[2] = p[1];
        for (uint256 j; j < L; ++j) {
            x[2 * L + j] = x[L + j];
        }
        assertTrue(verifier.verifyBatch(p, x), "verbatim repeat");
    }

    function test_ProofOfAnotherKeyFails() public view {
        uint256[] memory foreign = vm.parseJsonUintArray(json, ".foreignProof");
        (uint256[8][] memory p, uint256[] memory x) = _batch(0, 4);
        for (uint256 w; w < 8; ++w) {
            p[0][w] = foreign[w];
        }
        assertFalse(_accepts(p, x));
    }

    function test_InputNotInFieldReverts() public {
        (uint256[8][] memory p, uint256[] memory x) = _batch(0, 4);
        x[6] += R;
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierPublicInputNotInField.selector, 6));
        verifier.verifyBatch(p, x);
    }

    function test_CoordinateNotInFieldReverts() public {
        (uint256[8][] memory p, uint256[] memory x) = _batch(0, 4);
        p[3][5] += Q;
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierProofCoordinateNotInField.selector, 29));
        verifier.verifyBatch(p, x);
    }

    /// @dev (1, 3) is not on y^2 = x^3 + 3; as A, C of any proof, or as B's x, the batch returns false cheaply.
    function test_PointNotOnCurveFails() public view {
        for (uint256 i; i < 3; ++i) {
            (uint256[8][] memory p, uint256[] memory x) = _batch(0, 3);
            (p[i][0], p[i][1]) = (1, 3);
            assertFalse(verifier.verifyBatch{gas: 2_000_000}(p, x), "A off the curve");
            (p, x) = _batch(0, 3);
            (p[i][6], p[i][7]) = (1, 3);
            assertFalse(verifier.verifyBatch{gas: 2_000_000}(p, x), "C off the curve");
            (p, x) = _batch(0, 3);
            p[i][2] = 1;
            assertFalse(verifier.verifyBatch{gas: 2_000_000}(p, x), "B off the curve");
        }
    }

    function test_MalformedBatchesRevert() public {
        uint256[8][] memory none = new uint256[8][](0);
        vm.expectRevert(IGroth16BatchVerifier.Groth16VerifierEmptyBatch.selector);
        verifier.verifyBatch(none, new uint256[](0));
        (uint256[8][] memory p,) = _batch(0, 2);
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierWrongPublicInputCount.selector, 7, 8));
        verifier.verifyBatch(p, new uint256[](7));
    }

    /// @dev Every size 1..64 verifies, and the same batch with one random word tampered with does not.
    function testFuzz_BatchSizes(uint256 size, uint256 from, uint256 which, uint256 delta) public view {
        size = bound(size, 1, 64);
        from = bound(from, 0, n - 1);
        delta = bound(delta, 1, R - 1);
        (uint256[8][] memory p, uint256[] memory x) = _batch(from, size);
        assertTrue(verifier.verifyBatch(p, x));
        which = bound(which, 0, size * (8 + L) - 1);
        if (which < size * 8) {
            p[which / 8][which % 8] = addmod(p[which / 8][which % 8], delta, Q);
        } else {
            x[which - size * 8] = addmod(x[which - size * 8], delta, R);
        }
        assertFalse(_accepts(p, x));
    }
}
