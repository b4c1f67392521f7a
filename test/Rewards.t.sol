// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {MlproofMarket} from "../contracts/MlproofMarket.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {IRewards} from "../contracts/interfaces/IRewards.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../contracts/interfaces/IVerifiedOutputs.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";
import {ReentrantToken} from "./utils/ReentrantToken.sol";

/// @notice Epoch emissions shared by work units, roll-over, the pool cap, dust, and the claim ledger.
contract RewardsTest is MarketTestBase {
    uint256 internal constant RATE = 100e18;
    uint256 internal constant FUNDED = 1_000e18;

    MockGroth16Verifier internal verifier;
    uint256 internal modelId;
    uint256 internal genesis;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    uint256 private _nonce;

    function setUp() public {
        genesis = block.timestamp;
        _deployCore();
        (modelId, verifier) = _registerMock(3, 1);
        _stakeFor(alice, MIN_STAKE);
        _stakeFor(bob, MIN_STAKE);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Posts a fresh unlocked task on `model` and has `prover` fulfil it (credits a bounty and the units).
    function _workOn(uint256 model, address prover) private {
        ++_nonce;
        (ITaskMarket.Task memory task,) = _post(model, _words(_nonce, 0, 0));
        vm.prank(prover);
        market.fulfil(task, _words(1), _proof());
    }

    function _work(address prover) private {
        _workOn(modelId, prover);
    }

    /// @dev Registers a mock model worth `units` work units per proof.
    function _modelWithUnits(uint64 units) private returns (uint256 id) {
        MockGroth16Verifier v = new MockGroth16Verifier(4);
        vm.prank(admin);
        id = registry.registerModel(
            IModelRegistry.ModelParams({
                verifier: address(v),
                kind: IModelRegistry.Kind.Inference,
                commitment: keccak256("units"),
                privateWeights: false,
                weightsCommitment: 0,
                inputWords: 3,
                outputWords: 1,
                workUnits: units,
                previous: 0,
                owner: admin,
                metadataURI: ""
            })
        );
    }

    function _setRate(uint256 rate) private {
        vm.prank(admin);
        market.setEmissionPerEpoch(rate);
    }

    function _toEpoch(uint256 epoch) private {
        vm.warp(genesis + epoch * EPOCH);
    }

    /// @dev Claims for `account` and checks that the paid amount is what `claimable` announced and what arrived.
    function _claimChecked(address account) private returns (uint256 paid) {
        uint256 announced = market.claimable(account);
        uint256 before = token.balanceOf(account);
        vm.prank(account);
        paid = market.claim();
        assertEq(paid, announced, "claim pays claimable()");
        assertEq(token.balanceOf(account) - before, paid, "tokens arrived");
        assertEq(market.claimable(account), 0);
    }

    // ------------------------------------------------------------------ funding and epochs

    function test_FundEmissions_AddsToPool() public {
        token.mint(funder, FUNDED);
        vm.startPrank(funder);
        token.approve(address(market), FUNDED);
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EmissionsFunded(funder, FUNDED);
        market.fundEmissions(FUNDED);
        vm.stopPrank();
        assertEq(market.unallocatedEmissions(), FUNDED);
        assertEq(token.balanceOf(address(market)), 2 * uint256(MIN_STAKE) + FUNDED);
        _fundEmissions(1);
        assertEq(market.unallocatedEmissions(), FUNDED + 1);
    }

    function test_RevertWhen_FundEmissions_ZeroAmount() public {
        vm.expectRevert(IRewards.RewardsZeroAmount.selector);
        vm.prank(funder);
        market.fundEmissions(0);
    }

    /// @dev The pool is a uint128: an amount that does not fit must revert, not be booked truncated while the
    ///      full amount is transferred in.
    function test_RevertWhen_FundEmissions_PoolOverflowsUint128() public {
        uint256 amount = uint256(type(uint128).max) + 1;
        token.mint(funder, amount);
        vm.prank(funder);
        token.approve(address(market), amount);
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 128, amount));
        vm.prank(funder);
        market.fundEmissions(amount);

        _fundEmissions(FUNDED);
        uint256 rest = uint256(type(uint128).max) - FUNDED + 1;
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 128, FUNDED + rest));
        vm.prank(funder);
        market.fundEmissions(rest);
        assertEq(market.unallocatedEmissions(), FUNDED);
        assertEq(token.balanceOf(funder), amount);
    }

    function test_Epochs_CurrentEpochAndLength() public {
        assertEq(market.epochLength(), EPOCH);
        assertEq(market.currentEpoch(), 0);
        vm.warp(genesis + EPOCH - 1);
        assertEq(market.currentEpoch(), 0);
        vm.warp(genesis + EPOCH);
        assertEq(market.currentEpoch(), 1);
        vm.warp(genesis + 5 * EPOCH + 3);
        assertEq(market.currentEpoch(), 5);
    }

    function test_Epoch_WithoutEmissionRatePaysOnlyBounties() public {
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(1);
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, WORK_UNITS, 0);
        market.finalizeEpochs();
        assertEq(_claimChecked(alice), BOUNTY);
        assertEq(market.unallocatedEmissions(), FUNDED);
    }

    // ------------------------------------------------------------------ units of the open epoch

    /// @dev Storage slots (see `forge inspect MlproofMarket storageLayout`): the hot slot holds `_paused` (byte 0),
    ///      `_nextEpoch` (bytes 1-4) and `_currentUnits` (bytes 5-12); `_epochs` is the mapping at slot 9.
    uint256 private constant HOT_SLOT = 3;
    uint256 private constant EPOCHS_SLOT = 9;

    function _hot() private view returns (uint256) {
        return uint256(vm.load(address(market), bytes32(HOT_SLOT)));
    }

    function _epochSlot(uint256 epoch) private view returns (uint256) {
        return uint256(vm.load(address(market), keccak256(abi.encode(epoch, EPOCHS_SLOT))));
    }

    /// @dev Units of the open epoch are reported by epochInfo for that epoch only (never for a neighbour), stay
    ///      with it while it is over but not finalized, move into its finalized record, and restart at zero.
    function test_EpochInfo_ReportsOpenEpochUnitsUntilFinalized() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        _work(bob);
        assertEq(market.epochInfo(0).units, 2 * WORK_UNITS);
        assertEq(market.epochInfo(0).emission, 0, "not finalized");
        assertEq(market.epochInfo(1).units, 0, "the next epoch has none");

        // Epoch 0 is over but nothing finalized it: the units still belong to epoch 0, and the projection uses them.
        _toEpoch(1);
        assertEq(market.epochInfo(0).units, 2 * WORK_UNITS);
        assertEq(market.epochInfo(1).units, 0);
        assertEq(market.claimable(alice), BOUNTY + RATE / 2);

        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, 2 * WORK_UNITS, RATE);
        market.finalizeEpochs();
        IRewards.Epoch memory e0 = market.epochInfo(0);
        assertEq(e0.units, 2 * WORK_UNITS);
        assertEq(e0.settledUnits, 0);
        assertEq(e0.emission, RATE);
        assertEq(market.epochInfo(1).units, 0, "the new open epoch starts at zero");

        _work(alice);
        assertEq(market.epochInfo(1).units, WORK_UNITS);
        assertEq(market.epochInfo(0).units, 2 * WORK_UNITS, "finalized record unchanged");
        assertEq(market.epochInfo(0).settledUnits, WORK_UNITS, "alice's epoch-0 share settled");

        // Work in epoch 4 finalizes epoch 1; epochs 2 and 3 had none and carry their emission.
        _toEpoch(4);
        _work(bob);
        assertEq(market.epochInfo(1).units, WORK_UNITS);
        assertEq(market.epochInfo(1).emission, RATE);
        assertEq(market.epochInfo(2).units, 0);
        assertEq(market.epochInfo(3).units, 0);
        assertEq(market.epochInfo(4).units, WORK_UNITS);
        assertEq(market.epochInfo(5).units, 0);

        _toEpoch(5);
        assertEq(_claimChecked(alice), 2 * BOUNTY + RATE / 2 + RATE);
        assertEq(_claimChecked(bob), 2 * BOUNTY + RATE / 2 + 3 * RATE);
    }

    /// @dev A fulfilment adds its units to the hot slot (next to the pause flag and the epoch pointer) and leaves
    ///      the epoch's record untouched; finalization writes the record and clears the hot counter.
    function test_OpenEpochUnits_LiveInHotSlotUntilFinalized() public {
        // Sanity: the pause flag is byte 0 of the hot slot.
        assertEq(_hot() & 0xff, 0);
        vm.prank(admin);
        market.pause();
        assertEq(_hot() & 0xff, 1);
        vm.prank(admin);
        market.unpause();

        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        _work(bob);
        assertEq((_hot() >> 40) & type(uint64).max, 2 * WORK_UNITS, "_currentUnits");
        assertEq((_hot() >> 8) & type(uint32).max, 0, "_nextEpoch");
        assertEq(_epochSlot(0), 0, "open epoch record not written");

        _toEpoch(2);
        market.finalizeEpochs();
        assertEq((_hot() >> 40) & type(uint64).max, 0, "counter cleared");
        assertEq((_hot() >> 8) & type(uint32).max, 2, "_nextEpoch");
        uint256 rec = _epochSlot(0);
        assertEq(rec & type(uint64).max, 2 * WORK_UNITS, "units");
        assertEq((rec >> 64) & type(uint64).max, 0, "settledUnits");
        assertEq(rec >> 128, RATE, "emission");
        assertEq(_epochSlot(1), 0, "an epoch without work writes no record");

        _work(alice);
        assertEq((_hot() >> 40) & type(uint64).max, WORK_UNITS);
        assertEq(_epochSlot(2), 0);
    }

    // ------------------------------------------------------------------ split

    function test_Split_ProportionalToWorkUnits() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        _work(alice);
        _work(bob);
        assertEq(market.epochInfo(0).units, 3 * WORK_UNITS);
        // Epoch 0 has not ended: only bounties are claimable.
        assertEq(market.claimable(alice), 2 * BOUNTY);
        assertEq(market.claimable(bob), BOUNTY);

        _toEpoch(1);
        uint256 aliceShare = RATE * 20 / 30; // 66.666...e18, floored
        uint256 bobShare = RATE * 10 / 30;
        assertEq(aliceShare, 66_666_666_666_666_666_666);
        assertEq(bobShare, 33_333_333_333_333_333_333);

        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, 3 * WORK_UNITS, RATE);
        vm.expectEmit(true, true, false, true, address(market));
        emit IRewards.EmissionSettled(alice, 0, aliceShare);
        assertEq(_claimChecked(alice), 2 * BOUNTY + aliceShare);
        assertEq(_claimChecked(bob), BOUNTY + bobShare);

        IRewards.Epoch memory e = market.epochInfo(0);
        assertEq(e.units, 30);
        assertEq(e.settledUnits, 30);
        assertEq(e.emission, RATE);
        assertEq(market.unallocatedEmissions(), FUNDED - RATE);
        // One wei of dust stays in the market.
        assertEq(RATE - aliceShare - bobShare, 1);
        assertEq(token.balanceOf(address(market)), 2 * uint256(MIN_STAKE) + FUNDED - aliceShare - bobShare);
    }

    function test_Split_DifferentModelsWeighByUnits() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _workOn(_modelWithUnits(7), alice);
        _workOn(_modelWithUnits(3), bob);
        _toEpoch(1);
        assertEq(_claimChecked(alice), BOUNTY + 70e18);
        assertEq(_claimChecked(bob), BOUNTY + 30e18);
    }

    function test_Work_InLaterEpochSettlesEarlierShare() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(1);
        (ITaskMarket.Task memory task,) = _post(modelId, _words(99, 0, 0));
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, WORK_UNITS, RATE);
        vm.expectEmit(true, true, false, true, address(market));
        emit IRewards.EmissionSettled(alice, 0, RATE);
        vm.expectEmit(true, true, true, true, address(market));
        emit IVerifiedOutputs.OutputVerified(modelId, keccak256(abi.encodePacked(task.input)), alice, _words(1));
        vm.prank(alice);
        market.fulfil(task, _words(1), _proof());
        // Epoch 1 is running: its share is not claimable yet.
        assertEq(market.claimable(alice), 2 * BOUNTY + RATE);
        _toEpoch(2);
        assertEq(market.claimable(alice), 2 * BOUNTY + 2 * RATE);
        assertEq(_claimChecked(alice), 2 * BOUNTY + 2 * RATE);
        assertEq(market.epochInfo(1).settledUnits, WORK_UNITS);
    }

    // ------------------------------------------------------------------ roll-over and cap

    function test_RollOver_EpochsWithoutWorkCarryTheirEmission() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _toEpoch(2);
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, 0, 0);
        market.finalizeEpochs();
        assertEq(market.carriedEmission(), 2 * RATE, "epochs 0 and 1 carried");
        assertEq(market.unallocatedEmissions(), FUNDED, "carry is not allocated yet");
        assertEq(market.epochInfo(0).emission, 0);

        _work(alice);
        _toEpoch(3);
        // Projected before finalization.
        assertEq(market.claimable(alice), BOUNTY + 3 * RATE);
        market.finalizeEpochs();
        assertEq(market.epochInfo(2).emission, 3 * RATE);
        assertEq(market.carriedEmission(), 0);
        assertEq(market.unallocatedEmissions(), FUNDED - 3 * RATE);
        assertEq(_claimChecked(alice), BOUNTY + 3 * RATE);
    }

    function test_RollOver_WithoutFinalizeInBetween() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        // Nobody touches the market in epochs 0-3; alice works in epoch 4.
        _toEpoch(4);
        _work(alice);
        assertEq(market.carriedEmission(), 4 * RATE);
        _toEpoch(9);
        assertEq(_claimChecked(alice), BOUNTY + 5 * RATE);
        // Epochs 5-8 carry into the next epoch with work.
        assertEq(market.carriedEmission(), 4 * RATE);
    }

    function test_EmissionCappedByPool() public {
        _setRate(RATE);
        _fundEmissions(30e18);
        _work(alice);
        _toEpoch(1);
        assertEq(market.claimable(alice), BOUNTY + 30e18, "projection is capped too");
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, WORK_UNITS, 30e18);
        assertEq(_claimChecked(alice), BOUNTY + 30e18);
        assertEq(market.unallocatedEmissions(), 0);
        assertEq(market.carriedEmission(), 0, "the unfunded part is not owed later");

        // Empty pool: work earns only its bounty.
        _work(bob);
        _toEpoch(2);
        assertEq(_claimChecked(bob), BOUNTY);
        assertEq(market.epochInfo(1).emission, 0);

        // Refunded pool: the next epoch gets the plain rate, not the earlier shortfall.
        _fundEmissions(FUNDED);
        _work(bob);
        _toEpoch(3);
        assertEq(_claimChecked(bob), BOUNTY + RATE);

        // Paid emissions never exceed what was funded; the market holds exactly stakes + unallocated pool.
        assertEq(token.balanceOf(address(market)), 2 * uint256(MIN_STAKE) + market.unallocatedEmissions());
        assertEq(market.unallocatedEmissions(), 30e18 + FUNDED - 30e18 - RATE);
    }

    // ------------------------------------------------------------------ claim

    function test_RevertWhen_Claim_NothingToClaim() public {
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsNothingToClaim.selector, carol));
        vm.prank(carol);
        market.claim();
    }

    function test_RevertWhen_Claim_Twice() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(1);
        _claimChecked(alice);
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsNothingToClaim.selector, alice));
        vm.prank(alice);
        market.claim();
    }

    function test_Claim_PaysBountyAndEmission() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        // Bounty alone is claimable during the epoch; the share stays pending.
        assertEq(_claimChecked(alice), BOUNTY);
        _work(alice);
        _toEpoch(1);
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.Claimed(alice, BOUNTY + RATE);
        assertEq(_claimChecked(alice), BOUNTY + RATE);
        assertEq(token.balanceOf(alice), 2 * BOUNTY + RATE);
    }

    function test_Claimable_MatchesClaimForSlashAndCancelCredits() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        (ITaskMarket.Task memory t1,) = _post(modelId, _words(1, 1, 1));
        (ITaskMarket.Task memory t2,) = _post(modelId, _words(2, 2, 2));
        ITaskMarket.Task memory locked = _lock(t1, alice);
        vm.prank(requester);
        market.cancelTask(t2);
        _work(bob);
        vm.warp(uint256(t1.deadline) + 1);
        vm.prank(carol);
        market.slash(locked);
        _toEpoch(1);
        // Requester: refund of t2, refund of t1's bounty and half of the collateral.
        assertEq(_claimChecked(requester), 2 * BOUNTY + COLLATERAL / 2);
        assertEq(_claimChecked(carol), COLLATERAL / 10);
        assertEq(_claimChecked(admin), COLLATERAL / 5);
        assertEq(_claimChecked(bob), BOUNTY + RATE);
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsNothingToClaim.selector, alice));
        vm.prank(alice);
        market.claim();
    }

    function test_RevertWhen_Claim_Reentered() public {
        ReentrantToken evil = new ReentrantToken();
        MlproofMarket evilMarket =
            new MlproofMarket(IERC20(address(evil)), registry, EPOCH, admin, ADMIN_DELAY, _defaultParams());
        evil.mint(requester, BOUNTY);
        vm.startPrank(requester);
        evil.approve(address(evilMarket), BOUNTY);
        evilMarket.postTask(modelId, _words(1, 2, 3), BOUNTY, COLLATERAL, block.timestamp + 1 hours, "");
        evilMarket.cancelTask(_task(requester, modelId, _words(1, 2, 3), BOUNTY, COLLATERAL, block.timestamp + 1 hours));
        vm.stopPrank();
        assertEq(evilMarket.claimable(requester), BOUNTY);

        evil.arm(address(evilMarket), abi.encodeCall(IRewards.claim, ()));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(requester);
        evilMarket.claim();
        assertEq(evilMarket.claimable(requester), BOUNTY);
    }

    // ------------------------------------------------------------------ settle

    function test_Settle_ByThirdPartyCreditsWithoutPaying() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(1);
        uint256 announced = market.claimable(alice);
        assertEq(announced, BOUNTY + RATE);

        vm.expectEmit(true, true, false, true, address(market));
        emit IRewards.EmissionSettled(alice, 0, RATE);
        vm.prank(carol);
        market.settle(alice);
        assertEq(token.balanceOf(alice), 0, "settle pays nothing");
        assertEq(token.balanceOf(carol), 0);
        assertEq(market.claimable(alice), announced);
        assertEq(market.epochInfo(0).settledUnits, WORK_UNITS);

        // Settling twice credits nothing more.
        vm.recordLogs();
        vm.prank(carol);
        market.settle(alice);
        assertEq(vm.getRecordedLogs().length, 0);
        assertEq(market.claimable(alice), announced);
        assertEq(_claimChecked(alice), announced);
    }

    function test_Settle_BeforeEpochEndsDoesNothing() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        market.settle(alice);
        assertEq(market.epochInfo(0).settledUnits, 0);
        assertEq(market.claimable(alice), BOUNTY);
    }

    // ------------------------------------------------------------------ dust

    function test_RevertWhen_RecycleDust_EpochNotSettled() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        _work(alice);
        _work(bob);
        // Running epoch.
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsEpochNotSettled.selector, 0));
        market.recycleDust(0);
        // Ended but not finalized.
        _toEpoch(1);
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsEpochNotSettled.selector, 0));
        market.recycleDust(0);
        // Finalized, partly settled.
        market.settle(alice);
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsEpochNotSettled.selector, 0));
        market.recycleDust(0);
        // A finalized epoch without work, and a future epoch.
        _toEpoch(3);
        market.finalizeEpochs();
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsEpochNotSettled.selector, 1));
        market.recycleDust(1);
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsEpochNotSettled.selector, 99));
        market.recycleDust(99);
    }

    function test_RecycleDust_ReturnsDustToPool() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        _work(alice);
        _work(bob);
        _toEpoch(1);
        market.settle(alice);
        market.settle(bob);
        assertEq(market.unallocatedEmissions(), FUNDED - RATE);

        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.DustRecycled(0, 1);
        market.recycleDust(0);
        assertEq(market.unallocatedEmissions(), FUNDED - RATE + 1);
        // Only once.
        market.recycleDust(0);
        assertEq(market.unallocatedEmissions(), FUNDED - RATE + 1);

        // Everything owed plus the pool equals what the market holds.
        uint256 owed = market.claimable(alice) + market.claimable(bob);
        assertEq(token.balanceOf(address(market)), 2 * uint256(MIN_STAKE) + market.unallocatedEmissions() + owed);
    }

    // ------------------------------------------------------------------ emission rate

    function test_SetEmissionPerEpoch_FinalizesPastEpochsAtOldRate() public {
        _setRate(RATE);
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(2); // epoch 1 has no work
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, WORK_UNITS, RATE);
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged("emissionPerEpoch", RATE, 5 * RATE);
        _setRate(5 * RATE);
        assertEq(market.emissionPerEpoch(), 5 * RATE);
        assertEq(market.epochInfo(0).emission, RATE);
        assertEq(market.carriedEmission(), RATE, "epoch 1 carried at the old rate");

        _work(bob);
        _toEpoch(3);
        assertEq(_claimChecked(alice), BOUNTY + RATE);
        assertEq(_claimChecked(bob), BOUNTY + 6 * RATE);
        assertEq(market.epochInfo(2).emission, 6 * RATE);
    }

    function test_RevertWhen_SetEmissionPerEpoch_NotTreasury() public {
        bytes32 role = market.TREASURY_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, carol, role));
        vm.prank(carol);
        market.setEmissionPerEpoch(RATE);
    }

    function test_RevertWhen_SetEmissionPerEpoch_TooHigh() public {
        uint256 max = market.MAX_EMISSION_PER_EPOCH();
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketGovernance.MarketGovernanceOutOfBounds.selector, bytes32("emissionPerEpoch"), max + 1, max
            )
        );
        vm.prank(admin);
        market.setEmissionPerEpoch(max + 1);
        _setRate(max);
        assertEq(market.emissionPerEpoch(), max);
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev For any split of work units among 2-4 provers, any rate and any pool: the epoch gets min(rate, pool),
    ///      each prover floor(emission * units / total), the settled total never exceeds the emission, the dust is
    ///      below the number of provers, and recycling it leaves pool + paid == funded.
    function testFuzz_Split_SettledNeverExceedsEmission(
        uint64[4] memory units,
        uint8 count,
        uint256 rate,
        uint256 funded
    ) public {
        uint256 n = bound(count, 2, 4);
        rate = bound(rate, 0, market.MAX_EMISSION_PER_EPOCH());
        funded = bound(funded, 1, 1e27);
        _setRate(rate);
        _fundEmissions(funded);

        address[] memory provers = new address[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            units[i] = uint64(bound(units[i], 1, registry.MAX_WORK_UNITS()));
            total += units[i];
            provers[i] = makeAddr(string(abi.encodePacked("prover", vm.toString(i))));
            _stakeFor(provers[i], MIN_STAKE);
            _workOn(_modelWithUnits(units[i]), provers[i]);
        }
        _toEpoch(1);
        market.finalizeEpochs();
        uint256 emission = rate < funded ? rate : funded;
        assertEq(market.epochInfo(0).emission, emission);
        assertEq(market.epochInfo(0).units, total);

        uint256 settled;
        for (uint256 i; i < n; ++i) {
            uint256 share = market.claimable(provers[i]) - BOUNTY;
            assertEq(share, emission * units[i] / total, "share");
            settled += share;
            assertEq(_claimChecked(provers[i]), BOUNTY + share);
        }
        assertLe(settled, emission);
        uint256 dust = emission - settled;
        assertLt(dust, n);

        market.recycleDust(0);
        assertEq(market.unallocatedEmissions() + settled, funded, "pool + paid == funded");
        assertEq(token.balanceOf(address(market)), (n + 2) * uint256(MIN_STAKE) + market.unallocatedEmissions());
    }
}
