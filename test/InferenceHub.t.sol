// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {InferenceHub} from "../contracts/InferenceHub.sol";
import {IGroth16Verifier} from "../contracts/interfaces/IGroth16Verifier.sol";
import {IInferenceHub} from "../contracts/interfaces/IInferenceHub.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {IVerifiedOutputs} from "../contracts/interfaces/IVerifiedOutputs.sol";
import {HubTestBase} from "./utils/HubTestBase.sol";
import {PackedInt8} from "../contracts/libraries/PackedInt8.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";
import {ReentrantToken} from "./utils/ReentrantToken.sol";
import {SliceMlpFixture} from "./utils/SliceMlpFixture.sol";

/// @notice Hub logic (lengths, staking, replay, rewards) against a settable test verifier.
/// @dev Proof soundness (valid proof, wrong prover, tampered words, field checks) is in InferenceHubProofTest,
///      which uses the generated SliceMlpVerifier and a real fixture.
contract InferenceHubTest is HubTestBase {
    MockGroth16Verifier internal verifier;
    uint256 internal modelId;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    uint256[8] internal proof;

    function setUp() public {
        _deployCore();
        verifier = new MockGroth16Verifier(5);
        // Registration is restricted to the registry owner (this contract, see HubTestBase).
        modelId = registry.registerModel(address(verifier), keccak256("model"), 3, 1);
        _stakeFor(alice, MIN_STAKE);
        _stakeFor(bob, MIN_STAKE);
        _fundPool(1_000e18);
    }

    function _submitAs(address prover, uint256[] memory input, uint256[] memory output) internal returns (bytes32) {
        vm.prank(prover);
        return hub.submit(modelId, input, output, proof);
    }

    // ---------------------------------------------------------------- constructor and views

    function test_Constructor_SetsState() public view {
        assertEq(address(hub.registry()), address(registry));
        assertEq(address(hub.staking()), address(staking));
        assertEq(address(hub.rewardToken()), address(token));
        assertEq(hub.rewardPerProof(), REWARD);
        assertEq(hub.owner(), owner);
        assertEq(hub.MAX_REWARD_PER_PROOF(), 1_000_000e18);
    }

    function test_Constructor_EmitsRewardPerProofChanged() public {
        vm.expectEmit(false, false, false, true);
        emit IInferenceHub.RewardPerProofChanged(0, 5);
        new InferenceHub(registry, staking, IERC20(address(token)), 5, owner);
    }

    function test_RevertWhen_Constructor_RewardTooHigh() public {
        uint256 max = 1_000_000e18;
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubRewardTooHigh.selector, max + 1, max));
        new InferenceHub(registry, staking, IERC20(address(token)), max + 1, owner);
    }

    function test_RevertWhen_Constructor_ZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new InferenceHub(registry, staking, IERC20(address(token)), REWARD, address(0));
    }

    function testFuzz_StatementId_MatchesFormula(uint256 id, uint256 a, uint256 b, uint256 c) public view {
        uint256[] memory input = _words(a, b, c);
        assertEq(hub.statementId(id, input), keccak256(abi.encode(id, keccak256(abi.encodePacked(a, b, c)))));
    }

    function test_StatementId_SeparatesModels() public view {
        uint256[] memory input = _words(1, 2, 3);
        assertTrue(hub.statementId(1, input) != hub.statementId(2, input));
    }

    function test_VerifiedOutput_UnknownStatementIsEmpty() public view {
        (bool verified, uint256[] memory output) = hub.verifiedOutput(modelId, keccak256("nothing"));
        assertFalse(verified);
        assertEq(output.length, 0);
        assertEq(hub.proverOf(modelId, keccak256("nothing")), address(0));
    }

    // ---------------------------------------------------------------- submit

    function test_Submit_RecordsOutputCreditsAndEmits() public {
        uint256[] memory input = _words(1, 2, 3);
        uint256[] memory output = _words(42);
        bytes32 inputHash = keccak256(abi.encodePacked(input));
        bytes32 id = _statementId(modelId, input);

        vm.expectEmit(true, true, true, true, address(hub));
        emit IVerifiedOutputs.OutputVerified(modelId, inputHash, alice, output);
        vm.expectEmit(true, true, false, true, address(hub));
        emit IInferenceHub.RewardCredited(alice, id, REWARD);
        bytes32 returned = _submitAs(alice, input, output);

        assertEq(returned, id);
        assertEq(returned, hub.statementId(modelId, input));
        (bool verified, uint256[] memory stored) = hub.verifiedOutput(modelId, inputHash);
        assertTrue(verified);
        assertEq(stored, output);
        assertEq(hub.proverOf(modelId, inputHash), alice);
        assertEq(hub.rewardOf(alice), REWARD);
        assertEq(hub.unallocatedRewards(), 1_000e18 - REWARD);
        assertEq(token.balanceOf(address(hub)), 1_000e18, "submit moves no tokens");
    }

    function test_Submit_PassesInputOutputAndSenderAsPublicInputs() public {
        uint256[] memory input = _words(7, 8, 9);
        uint256[] memory output = _words(10);
        verifier.setExpectedInputsHash(keccak256(abi.encodePacked(input, output, uint256(uint160(alice)))));

        // Another staked prover submitting the same statement does not match the bound prover.
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.InferenceHubInvalidProof.selector, modelId, keccak256(abi.encodePacked(input))
            )
        );
        _submitAs(bob, input, output);

        _submitAs(alice, input, output);
        assertEq(hub.rewardOf(alice), REWARD);
        assertEq(hub.rewardOf(bob), 0);
    }

    function test_Submit_CreditCappedByPool() public {
        // Drain the pool to less than one reward.
        vm.prank(owner);
        hub.setRewardPerProof(999e18);
        _submitAs(alice, _words(1, 0, 0), _words(1));
        assertEq(hub.unallocatedRewards(), 1e18);

        bytes32 id = _statementId(modelId, _words(2, 0, 0));
        vm.expectEmit(true, true, false, true, address(hub));
        emit IInferenceHub.RewardCredited(bob, id, 1e18);
        _submitAs(bob, _words(2, 0, 0), _words(1));
        assertEq(hub.rewardOf(bob), 1e18);
        assertEq(hub.unallocatedRewards(), 0);

        // Empty pool: the output is still recorded, the credit is zero.
        vm.expectEmit(true, true, false, true, address(hub));
        emit IInferenceHub.RewardCredited(bob, _statementId(modelId, _words(3, 0, 0)), 0);
        _submitAs(bob, _words(3, 0, 0), _words(1));
        assertEq(hub.rewardOf(bob), 1e18);
        (bool verified,) = hub.verifiedOutput(modelId, keccak256(abi.encodePacked(_words(3, 0, 0))));
        assertTrue(verified);
    }

    function testFuzz_Submit_CreditIsMinOfRewardAndPool(uint256 reward, uint256 extraPool) public {
        reward = bound(reward, 0, hub.MAX_REWARD_PER_PROOF());
        extraPool = bound(extraPool, 0, 2_000_000e18);
        vm.prank(owner);
        hub.setRewardPerProof(reward);
        if (extraPool > 0) _fundPool(extraPool);
        uint256 pool = hub.unallocatedRewards();

        _submitAs(alice, _words(1, 2, 3), _words(4));
        uint256 expected = reward < pool ? reward : pool;
        assertEq(hub.rewardOf(alice), expected);
        assertEq(hub.unallocatedRewards(), pool - expected);
    }

    function test_Submit_AccumulatesRewardsAcrossStatements() public {
        _submitAs(alice, _words(1, 0, 0), _words(1));
        _submitAs(alice, _words(2, 0, 0), _words(1));
        assertEq(hub.rewardOf(alice), 2 * REWARD);
    }

    function test_RevertWhen_Submit_UnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 99));
        vm.prank(alice);
        hub.submit(99, _words(1, 2, 3), _words(4), proof);
    }

    function test_RevertWhen_Submit_ModelInactive() public {
        registry.deprecateModel(modelId);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubModelInactive.selector, modelId));
        _submitAs(alice, _words(1, 2, 3), _words(4));
    }

    function test_RevertWhen_Submit_NotStaked() public {
        address carol = makeAddr("carol");
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubNotStaked.selector, carol, 0, MIN_STAKE));
        _submitAs(carol, _words(1, 2, 3), _words(4));
    }

    function test_RevertWhen_Submit_StakeBelowMinimum() public {
        address carol = makeAddr("carol");
        _stakeFor(carol, MIN_STAKE - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.InferenceHubNotStaked.selector, carol, MIN_STAKE - 1, MIN_STAKE)
        );
        _submitAs(carol, _words(1, 2, 3), _words(4));
    }

    function test_RevertWhen_Submit_StakeUnbonding() public {
        vm.prank(alice);
        staking.requestUnstake(1);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceHub.InferenceHubNotStaked.selector, alice, MIN_STAKE - 1, MIN_STAKE)
        );
        _submitAs(alice, _words(1, 2, 3), _words(4));
    }

    function testFuzz_RevertWhen_Submit_WrongInputLength(uint8 len) public {
        vm.assume(len != 3);
        uint256[] memory input = new uint256[](len);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubWrongInputLength.selector, len, 3));
        _submitAs(alice, input, _words(4));
    }

    function testFuzz_RevertWhen_Submit_WrongOutputLength(uint8 len) public {
        vm.assume(len != 1);
        uint256[] memory output = new uint256[](len);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubWrongOutputLength.selector, len, 1));
        _submitAs(alice, _words(1, 2, 3), output);
    }

    function test_RevertWhen_Submit_InvalidProof() public {
        verifier.setResult(false);
        uint256[] memory input = _words(1, 2, 3);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.InferenceHubInvalidProof.selector, modelId, keccak256(abi.encodePacked(input))
            )
        );
        _submitAs(alice, input, _words(4));
        assertEq(hub.rewardOf(alice), 0);
    }

    function test_RevertWhen_Submit_AlreadyVerified() public {
        uint256[] memory input = _words(1, 2, 3);
        _submitAs(alice, input, _words(4));
        bytes32 id = _statementId(modelId, input);

        // Same statement, any output, any prover: rejected before the proof is even checked.
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubAlreadyVerified.selector, id));
        _submitAs(alice, input, _words(4));
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubAlreadyVerified.selector, id));
        _submitAs(bob, input, _words(5));
        assertEq(hub.rewardOf(alice), REWARD);
        assertEq(hub.rewardOf(bob), 0);
    }

    function test_Submit_SameInputDifferentModelIsSeparateStatement() public {
        uint256 other = registry.registerModel(address(verifier), keccak256("other"), 3, 1);
        _submitAs(alice, _words(1, 2, 3), _words(4));
        vm.prank(alice);
        hub.submit(other, _words(1, 2, 3), _words(5), proof);
        (, uint256[] memory out1) = hub.verifiedOutput(modelId, keccak256(abi.encodePacked(_words(1, 2, 3))));
        (, uint256[] memory out2) = hub.verifiedOutput(other, keccak256(abi.encodePacked(_words(1, 2, 3))));
        assertEq(out1[0], 4);
        assertEq(out2[0], 5);
    }

    // ---------------------------------------------------------------- model registration

    /// @dev Every registered model earns from the shared pool, so a stranger (even a staked prover) must not be able
    ///      to register an always-true verifier and point the hub at it to drain the pool.
    function test_RevertWhen_StrangerRegistersAlwaysTrueVerifier() public {
        address mallory = makeAddr("mallory");
        _stakeFor(mallory, MIN_STAKE);
        MockGroth16Verifier alwaysTrue = new MockGroth16Verifier(5); // accepts every proof by default
        uint256 countBefore = registry.modelCount();
        uint256 poolBefore = hub.unallocatedRewards();

        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, mallory));
        vm.prank(mallory);
        registry.registerModel(address(alwaysTrue), keccak256("evil"), 3, 1);
        assertEq(registry.modelCount(), countBefore, "nothing registered");

        // The id the model would have received does not exist, so the hub rejects submissions to it.
        uint256 wouldBeId = countBefore + 1;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, wouldBeId));
        vm.prank(mallory);
        hub.submit(wouldBeId, _words(1, 2, 3), _words(4), proof);

        assertEq(hub.rewardOf(mallory), 0);
        assertEq(hub.unallocatedRewards(), poolBefore, "pool untouched");
    }

    // ---------------------------------------------------------------- claim

    function test_Claim_PaysAndZeroes() public {
        _submitAs(alice, _words(1, 2, 3), _words(4));
        vm.expectEmit(true, false, false, true, address(hub));
        emit IInferenceHub.RewardClaimed(alice, REWARD);
        vm.prank(alice);
        uint256 paid = hub.claim();

        assertEq(paid, REWARD);
        assertEq(hub.rewardOf(alice), 0);
        assertEq(token.balanceOf(alice), REWARD);
        assertEq(token.balanceOf(address(hub)), 1_000e18 - REWARD);
        assertEq(hub.unallocatedRewards(), 1_000e18 - REWARD);
    }

    function test_RevertWhen_Claim_NothingToClaim() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubNothingToClaim.selector, alice));
        vm.prank(alice);
        hub.claim();
    }

    function test_RevertWhen_Claim_Twice() public {
        _submitAs(alice, _words(1, 2, 3), _words(4));
        vm.startPrank(alice);
        hub.claim();
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubNothingToClaim.selector, alice));
        hub.claim();
        vm.stopPrank();
    }

    function test_RevertWhen_Claim_Reentered() public {
        ReentrantToken evil = new ReentrantToken();
        InferenceHub evilHub = new InferenceHub(registry, staking, IERC20(address(evil)), REWARD, owner);
        evil.mint(funder, 100e18);
        vm.startPrank(funder);
        evil.approve(address(evilHub), 100e18);
        evilHub.fundRewards(100e18);
        vm.stopPrank();
        vm.prank(alice);
        evilHub.submit(modelId, _words(1, 2, 3), _words(4), proof);

        evil.arm(address(evilHub), abi.encodeCall(IInferenceHub.claim, ()));
        vm.expectRevert(ReentrancyGuard.ReentrancyGuardReentrantCall.selector);
        vm.prank(alice);
        evilHub.claim();
    }

    // ---------------------------------------------------------------- fundRewards

    function testFuzz_FundRewards(uint256 amount) public {
        amount = bound(amount, 1, 1e36);
        token.mint(funder, amount);
        vm.startPrank(funder);
        token.approve(address(hub), amount);
        vm.expectEmit(true, false, false, true, address(hub));
        emit IInferenceHub.RewardsFunded(funder, amount);
        hub.fundRewards(amount);
        vm.stopPrank();
        assertEq(hub.unallocatedRewards(), 1_000e18 + amount);
        assertEq(token.balanceOf(address(hub)), 1_000e18 + amount);
    }

    function test_RevertWhen_FundRewards_ZeroAmount() public {
        vm.expectRevert(IInferenceHub.InferenceHubZeroAmount.selector);
        vm.prank(funder);
        hub.fundRewards(0);
    }

    function test_RevertWhen_FundRewards_NoAllowance() public {
        token.mint(funder, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), 0, 1e18));
        vm.prank(funder);
        hub.fundRewards(1e18);
    }

    function test_Donation_DoesNotSkewAccounting() public {
        token.mint(address(hub), 500e18);
        assertEq(hub.unallocatedRewards(), 1_000e18);
        _submitAs(alice, _words(1, 2, 3), _words(4));
        assertEq(hub.rewardOf(alice), REWARD);
    }

    // ---------------------------------------------------------------- setRewardPerProof

    function testFuzz_SetRewardPerProof(uint256 reward) public {
        reward = bound(reward, 0, hub.MAX_REWARD_PER_PROOF());
        vm.expectEmit(false, false, false, true, address(hub));
        emit IInferenceHub.RewardPerProofChanged(REWARD, reward);
        vm.prank(owner);
        hub.setRewardPerProof(reward);
        assertEq(hub.rewardPerProof(), reward);
    }

    function test_SetRewardPerProof_ZeroCreditsNothing() public {
        vm.prank(owner);
        hub.setRewardPerProof(0);
        _submitAs(alice, _words(1, 2, 3), _words(4));
        assertEq(hub.rewardOf(alice), 0);
        assertEq(hub.unallocatedRewards(), 1_000e18);
    }

    function testFuzz_RevertWhen_SetRewardPerProof_TooHigh(uint256 reward) public {
        uint256 max = hub.MAX_REWARD_PER_PROOF();
        reward = bound(reward, max + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubRewardTooHigh.selector, reward, max));
        vm.prank(owner);
        hub.setRewardPerProof(reward);
    }

    function test_RevertWhen_SetRewardPerProof_NotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        hub.setRewardPerProof(1);
    }

    function test_TransferOwnership_TwoStep() public {
        vm.prank(owner);
        hub.transferOwnership(alice);
        assertEq(hub.pendingOwner(), alice);
        vm.prank(alice);
        hub.acceptOwnership();
        assertEq(hub.owner(), alice);
    }
}

/// @notice Proof soundness through the hub, with the generated SliceMlpVerifier and a real Groth16 fixture.
contract InferenceHubProofTest is SliceMlpFixture {
    address internal bob = makeAddr("bob");

    function setUp() public {
        _setUpSlice();
        _stakeFor(bob, MIN_STAKE);
    }

    function _inputHash() internal view returns (bytes32) {
        return keccak256(abi.encodePacked(fxInput));
    }

    function _expectInvalidProof(uint256[] memory input) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceHub.InferenceHubInvalidProof.selector, sliceModelId, keccak256(abi.encodePacked(input))
            )
        );
    }

    function test_Fixture_IsConsistentAndVerifiesDirectly() public view {
        assertEq(fxInput.length, 3);
        assertEq(fxOutput.length, 1);
        assertEq(fxProver, 0x70997970C51812dc3A010C7d01b50e0d17dc79C8);
        assertEq(sliceVerifier.publicInputCount(), 5);
        assertEq(fxPublicInputs.length, 5);
        for (uint256 i; i < 3; ++i) {
            assertEq(fxPublicInputs[i], fxInput[i]);
        }
        assertEq(fxPublicInputs[3], fxOutput[0]);
        assertEq(fxPublicInputs[4], uint256(uint160(fxProver)));
        assertTrue(sliceVerifier.verifyProof(fxProof, fxPublicInputs));
    }

    /// @dev The Rust packer and the Solidity decoder agree: the fixture's words decode to its int8 values.
    function test_Fixture_PackingMatchesRust() public view {
        assertEq(fxInputValues.length, 64);
        assertEq(fxOutputValues.length, SLICE_CLASSES);
        for (uint256 i; i < fxInputValues.length; ++i) {
            assertEq(PackedInt8.at(fxInput, i), fxInputValues[i], "input value");
        }
        for (uint256 i; i < fxOutputValues.length; ++i) {
            assertEq(PackedInt8.at(fxOutput, i), fxOutputValues[i], "output value");
        }
        // Bytes past the last value are zero (64 = 2 * 31 + 2 values; 10 output values).
        assertEq(fxInput[2] >> 16, 0);
        assertEq(fxOutput[0] >> (8 * SLICE_CLASSES), 0);
    }

    function test_Registry_StoresFixtureCommitment() public view {
        assertEq(registry.getModel(sliceModelId).commitment, fxCommitment);
    }

    function test_Submit_ValidProof_RecordsAndPays() public {
        bytes32 id = _statementId(sliceModelId, fxInput);
        vm.expectEmit(true, true, true, true, address(hub));
        emit IVerifiedOutputs.OutputVerified(sliceModelId, _inputHash(), fxProver, fxOutput);
        vm.expectEmit(true, true, false, true, address(hub));
        emit IInferenceHub.RewardCredited(fxProver, id, REWARD);
        assertEq(_submitFixture(fxProver), id);

        (bool verified, uint256[] memory output) = hub.verifiedOutput(sliceModelId, _inputHash());
        assertTrue(verified);
        assertEq(output, fxOutput);
        assertEq(hub.proverOf(sliceModelId, _inputHash()), fxProver);
        assertEq(hub.rewardOf(fxProver), REWARD);

        vm.prank(fxProver);
        assertEq(hub.claim(), REWARD);
        assertEq(token.balanceOf(fxProver), REWARD);
    }

    function test_RevertWhen_Submit_ReplayedStatement() public {
        _submitFixture(fxProver);
        bytes32 id = _statementId(sliceModelId, fxInput);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubAlreadyVerified.selector, id));
        _submitFixture(fxProver);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubAlreadyVerified.selector, id));
        _submitFixture(bob);
        assertEq(hub.rewardOf(fxProver), REWARD, "paid once");
        assertEq(hub.unallocatedRewards(), 1_000e18 - REWARD);
    }

    /// @dev A proof copied from the mempool by another staked account verifies for nobody but the bound prover.
    function test_RevertWhen_Submit_ValidProofFromOtherProver() public {
        _expectInvalidProof(fxInput);
        _submitFixture(bob);
        assertEq(hub.rewardOf(bob), 0);
        assertEq(hub.rewardOf(fxProver), 0);
        (bool verified,) = hub.verifiedOutput(sliceModelId, _inputHash());
        assertFalse(verified);
        assertEq(hub.unallocatedRewards(), 1_000e18);
    }

    function test_RevertWhen_Submit_TamperedOutput() public {
        uint256[] memory output = fxOutput;
        output[0] = (output[0] + 1) % R;
        _expectInvalidProof(fxInput);
        vm.prank(fxProver);
        hub.submit(sliceModelId, fxInput, output, fxProof);
    }

    function test_RevertWhen_Submit_TamperedInputWord() public {
        for (uint256 i; i < fxInput.length; ++i) {
            uint256[] memory input = fxInput;
            input[i] = (input[i] + 1) % R;
            _expectInvalidProof(input);
            vm.prank(fxProver);
            hub.submit(sliceModelId, input, fxOutput, fxProof);
        }
    }

    /// @dev A flipped coordinate leaves the curve, the pairing precompile fails and the verifier returns false.
    ///      A failing precompile consumes all gas forwarded to it, so each attempt runs with a bounded gas limit.
    function test_RevertWhen_Submit_TamperedProofCoordinate() public {
        for (uint256 i; i < 8; ++i) {
            uint256[8] memory proof = fxProof;
            proof[i] = proof[i] ^ 1;
            _expectInvalidProof(fxInput);
            vm.prank(fxProver);
            hub.submit{gas: 3_000_000}(sliceModelId, fxInput, fxOutput, proof);
        }
    }

    /// @dev input[0] + r is the same field element: without the on-chain range check it would alias the input.
    function test_RevertWhen_Submit_InputWordNotInField() public {
        uint256[] memory input = fxInput;
        input[0] += R;
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierPublicInputNotInField.selector, 0));
        vm.prank(fxProver);
        hub.submit(sliceModelId, input, fxOutput, fxProof);
    }

    function test_RevertWhen_Submit_OutputWordNotInField() public {
        uint256[] memory output = fxOutput;
        output[0] += R;
        vm.expectRevert(abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierPublicInputNotInField.selector, 3));
        vm.prank(fxProver);
        hub.submit(sliceModelId, fxInput, output, fxProof);
    }

    /// @dev Each proof coordinate + q is the same base-field element: the verifier must reject it, not reduce it.
    function test_RevertWhen_Submit_ProofCoordinateNotInField() public {
        for (uint256 i; i < 8; ++i) {
            uint256[8] memory proof = fxProof;
            proof[i] += Q;
            vm.expectRevert(
                abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierProofCoordinateNotInField.selector, i)
            );
            vm.prank(fxProver);
            hub.submit(sliceModelId, fxInput, fxOutput, proof);
        }
    }

    function test_RevertWhen_Submit_UnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, sliceModelId + 1));
        vm.prank(fxProver);
        hub.submit(sliceModelId + 1, fxInput, fxOutput, fxProof);
    }

    function test_RevertWhen_Submit_ProverNotStaked() public {
        vm.prank(fxProver);
        staking.requestUnstake(MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubNotStaked.selector, fxProver, 0, MIN_STAKE));
        _submitFixture(fxProver);
    }

    function test_RevertWhen_Submit_ModelDeprecated() public {
        registry.deprecateModel(sliceModelId); // this test contract registered it
        vm.expectRevert(abi.encodeWithSelector(IInferenceHub.InferenceHubModelInactive.selector, sliceModelId));
        _submitFixture(fxProver);
    }
}
