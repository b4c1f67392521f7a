// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {IGroth16Verifier} from "../contracts/interfaces/IGroth16Verifier.sol";
import {IStaking} from "../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../contracts/interfaces/IVerifiedOutputs.sol";
import {SliceMlpFixture} from "./utils/SliceMlpFixture.sol";

/// @notice The market with the generated SliceMlpVerifier and the real Groth16 fixture from the Rust prover:
///         the bound prover is paid, nobody else is, every mutated proof coordinate is rejected, and a malleated
///         copy of a used proof cannot be replayed.
contract MarketFixtureTest is SliceMlpFixture {
    /// @dev The protocol fee escrowed with the default bounty.
    uint256 internal constant FEE = BOUNTY * FEE_BPS / 10_000;

    address internal bob = makeAddr("bob");

    function setUp() public {
        _setUpSlice();
        _stakeFor(bob, MIN_STAKE);
    }

    function _inputCommitment() private view returns (bytes32) {
        return keccak256(abi.encodePacked(fxInput));
    }

    /// @dev The negation of a Groth16 proof, (-A, -B, C), satisfies the same pairing equation: a different,
    ///      equally valid proof of the same statement (Groth16 proofs are malleable).
    function _negated(uint256[8] memory p) private pure returns (uint256[8] memory n) {
        n = p;
        n[1] = p[1] == 0 ? 0 : Q - p[1];
        n[4] = p[4] == 0 ? 0 : Q - p[4];
        n[5] = p[5] == 0 ? 0 : Q - p[5];
    }

    function test_Fixture_LayoutMatchesMarket() public view {
        assertEq(fxInput.length, 3);
        assertEq(fxOutput.length, 1);
        assertEq(fxPublicInputs.length, 4);
        assertEq(sliceVerifier.publicInputCount(), 4);
        // input ++ output with the prover at bit 88 of the output word, exactly what the market passes for a
        // public-weight model. The fixture's output is payee-free, as callers pass it.
        for (uint256 i; i < 3; ++i) {
            assertEq(fxPublicInputs[i], fxInput[i]);
        }
        assertEq(fxOutput[0] >> 88, 0, "fixture output leaves the payee slot clear");
        assertEq(fxPublicInputs[3], fxOutput[0] | (uint256(uint160(fxProver)) << 88));
        assertEq(fxPublicInputs[3], _packPayee(fxOutput[0], fxProver));
        assertEq(address(uint160(fxPublicInputs[3] >> 88)), fxProver);
        assertEq(fxPublicInputs[3] & ((uint256(1) << 88) - 1), fxOutput[0]);
        assertLt(fxPublicInputs[3], R, "packed word is a field element");
        assertTrue(sliceVerifier.verifyProof(fxProof, fxPublicInputs));
    }

    function test_Fulfil_FixtureProverIsPaidAndOutputReadable() public {
        (ITaskMarket.Task memory task, bytes32 id) = _postFixture();
        vm.expectEmit(true, true, true, true, address(market));
        emit IVerifiedOutputs.OutputVerified(sliceModelId, _inputCommitment(), fxProver, fxOutput);
        _fulfilFixture(task, fxProver);

        (bool verified, uint256[] memory output) = market.verifiedOutput(sliceModelId, _inputCommitment());
        assertTrue(verified);
        assertEq(output, fxOutput);
        assertEq(market.openTaskHash(id), bytes32(0));
        assertEq(market.epochInfo(0).fees, FEE, "the fee is recorded for the epoch");
        assertEq(market.claimable(fxProver), BOUNTY);
        vm.prank(fxProver);
        assertEq(market.claim(), BOUNTY);
        assertEq(token.balanceOf(fxProver), BOUNTY);
    }

    function test_Fulfil_FixtureLockedReleasesCollateral() public {
        (ITaskMarket.Task memory task,) = _postFixture();
        ITaskMarket.Task memory locked = _lock(task, fxProver);
        assertEq(market.accountOf(fxProver).locked, COLLATERAL);
        _fulfilFixture(locked, fxProver);
        IStaking.Account memory a = market.accountOf(fxProver);
        assertEq(a.locked, 0);
        assertEq(a.lockCount, 0);
        assertEq(a.active, MIN_STAKE);
        assertEq(market.claimable(fxProver), BOUNTY);
    }

    /// @dev A proof copied from the mempool by another staked account verifies for nobody but the bound prover.
    function test_RevertWhen_Fulfil_FixtureProofFromOtherProver() public {
        (ITaskMarket.Task memory task, bytes32 id) = _postFixture();
        uint256 marketBalance = token.balanceOf(address(market));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfilFixture(task, bob);

        assertEq(market.claimable(bob), 0);
        assertEq(market.claimable(fxProver), 0);
        assertEq(market.claimable(requester), 0);
        (bool verified,) = market.verifiedOutput(sliceModelId, _inputCommitment());
        assertFalse(verified);
        assertEq(market.openTaskHash(id), market.taskHash(task), "task still open");
        assertEq(market.epochInfo(0).fees, 0);
        assertEq(token.balanceOf(address(market)), marketBalance);

        // The bound prover can still fulfil it.
        _fulfilFixture(task, fxProver);
        assertEq(market.claimable(fxProver), BOUNTY);
        assertEq(market.claimable(bob), 0);
    }

    /// @dev Bob locks the fixture task but only holds a proof bound to another address: he cannot fulfil it and is
    ///      slashed after the deadline.
    function test_Fulfil_CopiedProofDoesNotSaveLockedProver() public {
        (ITaskMarket.Task memory task, bytes32 id) = _postFixture();
        ITaskMarket.Task memory locked = _lock(task, bob);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfilFixture(locked, bob);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketLocked.selector, id, bob));
        _fulfilFixture(locked, fxProver);

        vm.warp(uint256(locked.deadline) + 1);
        market.slash(locked);
        assertEq(market.stakeOf(bob), MIN_STAKE - COLLATERAL);
        assertEq(market.claimable(requester), COLLATERAL * SLASH_REQUESTER_BPS / 10_000 + BOUNTY + FEE);
    }

    function test_RevertWhen_Fulfil_TamperedOutput() public {
        (ITaskMarket.Task memory task, bytes32 id) = _postFixture();
        uint256[] memory output = new uint256[](1);
        output[0] = fxOutput[0] ^ 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        vm.prank(fxProver);
        market.fulfil(task, output, fxProof);
    }

    function test_RevertWhen_Fulfil_TamperedInputWord() public {
        for (uint256 i; i < fxInput.length; ++i) {
            uint256[] memory input = new uint256[](3);
            for (uint256 j; j < 3; ++j) {
                input[j] = fxInput[j];
            }
            input[i] ^= 1;
            (ITaskMarket.Task memory task, bytes32 id) = _post(sliceModelId, input);
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
            _fulfilFixture(task, fxProver);
        }
        assertEq(market.claimable(fxProver), 0);
    }

    /// @dev Each coordinate + 1 is off the curve (or, for q - 1, not a field element): the market reverts with
    ///      InvalidProof, or the verifier's not-in-field error bubbles up. Nobody is paid either way.
    function test_RevertWhen_Fulfil_EachProofCoordinatePlusOne() public {
        (ITaskMarket.Task memory task, bytes32 id) = _postFixture();
        for (uint256 i; i < 8; ++i) {
            uint256[8] memory p = fxProof;
            p[i] = fxProof[i] + 1;
            if (p[i] >= Q) {
                vm.expectRevert(
                    abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierProofCoordinateNotInField.selector, i)
                );
            } else {
                vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
            }
            vm.prank(fxProver);
            market.fulfil(task, fxOutput, p);
        }
        assertEq(market.claimable(fxProver), 0);
        (bool verified,) = market.verifiedOutput(sliceModelId, _inputCommitment());
        assertFalse(verified);
    }

    function test_RevertWhen_Fulfil_ProofCoordinateNotInField() public {
        (ITaskMarket.Task memory task,) = _postFixture();
        for (uint256 i; i < 8; ++i) {
            uint256[8] memory p = fxProof;
            p[i] = fxProof[i] + Q; // the same base-field element, not canonical
            vm.expectRevert(
                abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierProofCoordinateNotInField.selector, i)
            );
            vm.prank(fxProver);
            market.fulfil(task, fxOutput, p);
        }
    }

    /// @dev output + r aliases the output modulo r; it sets bits above 88, so the market refuses it before the
    ///      verifier (whose own not-in-field check would otherwise catch it).
    function test_RevertWhen_Fulfil_OutputWordNotInField() public {
        (ITaskMarket.Task memory task, bytes32 id) = _postFixture();
        uint256[] memory output = new uint256[](1);
        output[0] = fxOutput[0] + R;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        vm.prank(fxProver);
        market.fulfil(task, output, fxProof);
    }

    /// @dev The real proof with the real verifier: a copier who passes the fixture's public output word (output
    ///      with the prover's address at bit 88), hoping the market's OR leaves it unchanged, is refused with
    ///      OutputNotPacked; the payee-free output binds the copier's own address and fails; even the bound prover
    ///      must pass the payee-free output. Nobody is paid until the bound prover fulfils.
    function test_RevertWhen_Fulfil_FixtureCopierSetsPayeeBits() public {
        (ITaskMarket.Task memory task, bytes32 id) = _postFixture();
        uint256[] memory forged = new uint256[](1);
        forged[0] = fxPublicInputs[3];
        // A copier whose address bits are a subset of the prover's would, without the check, make the market
        // verify exactly the fixture's public inputs.
        address copier = address(uint160(fxProver) & uint160(bob));
        assertTrue(copier != fxProver && copier != address(0));
        assertEq(_packPayee(forged[0], copier), fxPublicInputs[3]);
        _stakeFor(copier, MIN_STAKE);

        address[3] memory senders = [copier, bob, fxProver];
        for (uint256 i; i < senders.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
            vm.prank(senders[i]);
            market.fulfil(task, forged, fxProof);
        }
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfilFixture(task, copier);
        assertEq(market.claimable(copier), 0);
        assertEq(market.claimable(bob), 0);
        assertEq(market.openTaskHash(id), market.taskHash(task), "task still open");

        _fulfilFixture(task, fxProver);
        assertEq(market.claimable(fxProver), BOUNTY);
        (, uint256[] memory output) = market.verifiedOutput(sliceModelId, _inputCommitment());
        assertEq(output, fxOutput, "stored output is payee-free");
    }

    /// @dev The fixture proof verifies for the fixture prover only: the same output word with any other address in
    ///      the payee slot is another statement.
    function testFuzz_FixtureProofBindsOnlyItsPayee(address other) public view {
        vm.assume(other != fxProver);
        uint256[] memory x = new uint256[](4);
        for (uint256 i; i < 4; ++i) {
            x[i] = fxPublicInputs[i];
        }
        x[3] = _packPayee(fxOutput[0], other);
        assertFalse(sliceVerifier.verifyProof(fxProof, x));
    }

    /// @dev The negated proof is a valid second proof of the fixture statement. After the first fulfilment the
    ///      statement is taken: it cannot be posted again and the old task is gone, so the copy earns nothing.
    function test_RevertWhen_ReplayMalleatedProofAfterVerification() public {
        uint256[8] memory negated = _negated(fxProof);
        assertTrue(keccak256(abi.encode(negated)) != keccak256(abi.encode(fxProof)));
        assertTrue(sliceVerifier.verifyProof(negated, fxPublicInputs), "malleated proof verifies");

        (ITaskMarket.Task memory task, bytes32 id) = _postFixture();
        _fulfilFixture(task, fxProver);

        token.mint(requester, BOUNTY + FEE);
        vm.prank(requester);
        token.approve(address(market), BOUNTY + FEE);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketStatementTaken.selector, id));
        vm.prank(requester);
        market.postTask(sliceModelId, fxInput, BOUNTY, COLLATERAL, block.timestamp + 1 hours, "");

        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(fxProver);
        market.fulfil(task, fxOutput, negated);
        assertEq(market.claimable(fxProver), BOUNTY, "paid once");
        assertEq(market.epochInfo(0).fees, FEE, "fee recorded once");
    }

    /// @dev The malleated proof fulfils an open task like the original (the replay key is the statement, not the
    ///      proof bytes, so malleability cannot double-pay).
    function test_Fulfil_MalleatedProofFulfilsOpenTask() public {
        (ITaskMarket.Task memory task,) = _postFixture();
        vm.prank(fxProver);
        market.fulfil(task, fxOutput, _negated(fxProof));
        (bool verified, uint256[] memory output) = market.verifiedOutput(sliceModelId, _inputCommitment());
        assertTrue(verified);
        assertEq(output, fxOutput);
    }

    /// @dev On a price ramp the real proof fulfils like on a fixed price; the prover is paid the ramp price at
    ///      fulfilment and the requester gets back the rest of the escrow (bounty and fee above the price).
    function test_Fulfil_FixtureOnRampPaysRampPrice() public {
        ITaskMarket.Offer memory offer = ITaskMarket.Offer({
            minPrice: 2e18,
            bounty: 6e18,
            rampDelay: 100,
            rampPeriod: 400,
            collateral: COLLATERAL,
            deadline: block.timestamp + 1 hours
        });
        (ITaskMarket.Task memory task,) = _postOffer(requester, sliceModelId, fxInput, offer);
        vm.warp(block.timestamp + 300); // halfway up the ramp: 2 + 4 * 200 / 400 = 4
        uint256 price = 4e18;
        assertEq(market.priceAt(task, block.timestamp), price);
        _fulfilFixture(task, fxProver);
        assertEq(market.claimable(fxProver), price);
        uint256 fee = uint256(task.fee) * price / offer.bounty;
        assertEq(market.claimable(requester), offer.bounty - price + task.fee - fee);
        assertEq(market.epochInfo(0).fees, fee);
    }

    /// @dev Gas of a fulfilment with the real verifier (logged, not asserted): unlocked and locked.
    function test_Gas_FulfilFixture() public {
        (ITaskMarket.Task memory task,) = _postFixture();
        vm.prank(fxProver);
        market.fulfil(task, fxOutput, fxProof);
        Vm.Gas memory unlocked = vm.lastCallGas();

        // The proof only fits the fixture statement, so the locked path is measured on a fresh deployment.
        _setUpSlice();
        (ITaskMarket.Task memory t2,) = _postFixture();
        ITaskMarket.Task memory locked = _lock(t2, fxProver);
        vm.prank(fxProver);
        market.fulfil(locked, fxOutput, fxProof);
        Vm.Gas memory lockedGas = vm.lastCallGas();

        emit log_named_uint("fulfil (unlocked) gas", unlocked.gasTotalUsed);
        emit log_named_uint("fulfil (locked) gas", lockedGas.gasTotalUsed);
        assertGt(unlocked.gasTotalUsed, 0);
        assertGt(lockedGas.gasTotalUsed, 0);
        (bool verified,) = market.verifiedOutput(sliceModelId, _inputCommitment());
        assertTrue(verified);
    }
}
