// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IGroth16Verifier} from "../contracts/interfaces/IGroth16Verifier.sol";
import {SliceMlpVerifier} from "../contracts/generated/SliceMlpVerifier.sol";

/// @notice The generated verifier accepts the proof fixture made by the Rust prover
///         (`test/fixtures/slice_mlp_proof.json`) and rejects every mutation of it.
contract SliceMlpVerifierTest is Test {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    SliceMlpVerifier internal verifier;
    uint256[8] internal proof;
    uint256[] internal inputs;

    function setUp() public {
        verifier = new SliceMlpVerifier();
        string memory json = vm.readFile("test/fixtures/slice_mlp_proof.json");
        uint256[] memory p = vm.parseJsonUintArray(json, ".proof");
        for (uint256 i; i < 8; ++i) {
            proof[i] = p[i];
        }
        inputs = vm.parseJsonUintArray(json, ".publicInputs");
    }

    /// @dev A mutated proof must not verify: either `false`, or a revert from the verifier.
    function _accepts(uint256[8] memory p, uint256[] memory x) internal view returns (bool) {
        try verifier.verifyProof(p, x) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    function test_FixtureVerifies() public view {
        assertEq(verifier.publicInputCount(), 4);
        assertEq(inputs.length, 4);
        assertTrue(verifier.verifyProof(proof, inputs));
    }

    /// @dev Layout `input (3) ++ output (1)`: the prover sits at bit 88 of the output word, above the packed
    ///      logits; there is no separate prover input.
    function test_FixtureBindsProverAddress() public view {
        string memory json = vm.readFile("test/fixtures/slice_mlp_proof.json");
        address prover = vm.parseJsonAddress(json, ".prover");
        uint256[] memory input = vm.parseJsonUintArray(json, ".input");
        uint256[] memory output = vm.parseJsonUintArray(json, ".output");
        assertEq(input.length, 3);
        assertEq(output.length, 1);
        for (uint256 i; i < 3; ++i) {
            assertEq(inputs[i], input[i]);
        }
        assertEq(output[0] >> 88, 0, "payee-free output");
        assertEq(inputs[3], output[0] | (uint256(uint160(prover)) << 88));
        assertEq(address(uint160(inputs[3] >> 88)), prover);
    }

    /// @dev The same proof with any other address in the payee slot, or with the payee-free output word (as if
    ///      the address were not bound), does not verify.
    function test_OtherPayeeFails() public view {
        uint256 low = inputs[3] & ((uint256(1) << 88) - 1);
        uint256[] memory x = _copy(inputs);
        x[3] = low;
        assertFalse(_accepts(proof, x), "no payee");
        x[3] = low | (uint256(uint160(address(0xB0B))) << 88);
        assertFalse(_accepts(proof, x), "other payee");
        x[3] = inputs[3] ^ (uint256(1) << 88);
        assertFalse(_accepts(proof, x), "payee with one bit flipped");
        x[3] = inputs[3] ^ (uint256(1) << 247);
        assertFalse(_accepts(proof, x), "payee top bit flipped");
    }

    function test_EachMutatedProofCoordinateFails() public view {
        for (uint256 i; i < 8; ++i) {
            uint256[8] memory p = proof;
            p[i] = addmod(p[i], 1, Q);
            assertFalse(_accepts(p, inputs), "mutated coordinate verified");
        }
    }

    function test_EachMutatedPublicInputFails() public view {
        for (uint256 i; i < inputs.length; ++i) {
            uint256[] memory x = _copy(inputs);
            x[i] = addmod(x[i], 1, R);
            assertFalse(_accepts(proof, x), "mutated public input verified");
        }
    }

    function test_SwappedG2CoordinateOrderFails() public view {
        uint256[8] memory p = proof;
        (p[2], p[3]) = (p[3], p[2]);
        (p[4], p[5]) = (p[5], p[4]);
        assertFalse(_accepts(p, inputs));
    }

    function test_RevertWhen_PublicInputNotInField() public {
        for (uint256 i; i < inputs.length; ++i) {
            uint256[] memory x = _copy(inputs);
            // x + r aliases x modulo r: a verifier without this check would accept it.
            x[i] = inputs[i] + R;
            vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierPublicInputNotInField.selector, i));
            verifier.verifyProof(proof, x);
        }
    }

    function test_RevertWhen_ProofCoordinateNotInField() public {
        for (uint256 i; i < 8; ++i) {
            uint256[8] memory p = proof;
            p[i] = proof[i] + Q;
            vm.expectRevert(
                abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierProofCoordinateNotInField.selector, i)
            );
            verifier.verifyProof(p, inputs);
        }
    }

    function test_RevertWhen_WrongPublicInputCount() public {
        uint256[] memory x = new uint256[](3);
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierWrongPublicInputCount.selector, 3, 4));
        verifier.verifyProof(proof, x);
        // The old layout's separate prover word is one input too many.
        x = new uint256[](5);
        for (uint256 i; i < 4; ++i) {
            x[i] = inputs[i];
        }
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierWrongPublicInputCount.selector, 5, 4));
        verifier.verifyProof(proof, x);
    }

    function testFuzz_RandomProofFails(uint256[8] memory p) public view {
        for (uint256 i; i < 8; ++i) {
            p[i] = p[i] % Q;
        }
        assertFalse(_accepts(p, inputs));
    }

    function _copy(uint256[] memory a) internal pure returns (uint256[] memory b) {
        b = new uint256[](a.length);
        for (uint256 i; i < a.length; ++i) {
            b[i] = a[i];
        }
    }
}
