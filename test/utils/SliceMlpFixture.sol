// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SliceMlpVerifier} from "../../contracts/generated/SliceMlpVerifier.sol";
import {ITaskMarket} from "../../contracts/interfaces/ITaskMarket.sol";
import {MarketTestBase} from "./MarketTestBase.sol";

/// @notice Loads the real slice-mlp proof fixture (written by the Rust prover) and deploys the generated verifier.
/// @dev Fixture: test/fixtures/slice_mlp_proof.json, keys proof (8), input (3), output (1, payee-free), prover,
///      publicInputs (4: input ++ output, the prover ORed into the output word at bit 88), plus modelCommitment and
///      the unpacked inputValues (64) / outputValues (10) used to cross-check packing.
abstract contract SliceMlpFixture is MarketTestBase {
    string internal constant FIXTURE = "test/fixtures/slice_mlp_proof.json";
    /// @dev The slice model has 10 logits (64 -> 16 -> 10), packed in one output word.
    uint8 internal constant SLICE_CLASSES = 10;

    SliceMlpVerifier internal sliceVerifier;
    uint256 internal sliceModelId;

    uint256[8] internal fxProof;
    uint256[] internal fxInput;
    uint256[] internal fxOutput;
    address internal fxProver;
    uint256[] internal fxPublicInputs;
    bytes32 internal fxCommitment;
    int256[] internal fxInputValues;
    int256[] internal fxOutputValues;

    function _loadFixture() internal {
        string memory json = vm.readFile(FIXTURE);
        uint256[] memory p = vm.parseJsonUintArray(json, ".proof");
        assertEq(p.length, 8, "fixture proof length");
        for (uint256 i; i < 8; ++i) {
            fxProof[i] = p[i];
        }
        fxInput = vm.parseJsonUintArray(json, ".input");
        fxOutput = vm.parseJsonUintArray(json, ".output");
        fxProver = vm.parseJsonAddress(json, ".prover");
        fxPublicInputs = vm.parseJsonUintArray(json, ".publicInputs");
        fxCommitment = vm.parseJsonBytes32(json, ".modelCommitment");
        fxInputValues = vm.parseJsonIntArray(json, ".inputValues");
        fxOutputValues = vm.parseJsonIntArray(json, ".outputValues");
    }

    /// @dev Deploys the core and the generated verifier, registers the slice model (public input, 3 words) and
    ///      stakes the fixture prover.
    function _setUpSlice() internal {
        _deployCore();
        _loadFixture();
        sliceVerifier = new SliceMlpVerifier();
        sliceModelId = _register(address(sliceVerifier), 3, 1, false, 0);
        _stakeFor(fxProver, MIN_STAKE);
    }

    /// @dev Posts the fixture's input as a task (unlocked).
    function _postFixture() internal returns (ITaskMarket.Task memory task, bytes32 id) {
        return _post(sliceModelId, fxInput);
    }

    function _fulfilFixture(ITaskMarket.Task memory task, address sender) internal {
        vm.prank(sender);
        market.fulfil(task, fxOutput, fxProof);
    }
}
