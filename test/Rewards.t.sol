// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IMlproofMarket} from "../contracts/interfaces/IMlproofMarket.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {IRewards} from "../contracts/interfaces/IRewards.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../contracts/interfaces/IVerifiedOutputs.sol";
import {MarketExtension} from "../contracts/market/MarketExtension.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";
import {ReentrantToken} from "./utils/ReentrantToken.sol";

/// @notice Epoch emissions weighted by protocol fees: emission = min(rate + carry, pool, fees), the capped carry,
///         rates scheduled from the next epoch, the treasury's fees, dust, and the claim ledger.
/// @dev RATE is small next to a default task's fee (FEE = 25 * RATE), so that the rate and the carry bind unless a
///      test says otherwise; the tests that let the fees bind use a larger rate.
contract RewardsTest is MarketTestBase {
    uint256 internal constant RATE = 1e16;
    uint256 internal constant FUNDED = 1_000e18;
    /// @dev Protocol fee of a default task (BOUNTY at FEE_BPS).
    uint256 internal constant FEE = BOUNTY * FEE_BPS / 10_000;

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
        _useMarket(RATE);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Replaces the market with a fresh one at `rate` (genesis now) and stakes alice and bob on it.
    function _useMarket(uint256 rate) private {
        market = _newMarket(IERC20(address(token)), _defaultParams(), rate);
        genesis = block.timestamp;
        _stakeFor(alice, MIN_STAKE);
        _stakeFor(bob, MIN_STAKE);
    }

    /// @dev Posts a fresh fixed-price task on `model` with `bounty` and has `prover` fulfil it.
    function _workWith(uint256 model, address prover, uint256 bounty) private {
        ++_nonce;
        (ITaskMarket.Task memory task,) =
            _postWith(requester, model, _words(_nonce, 0, 0), bounty, COLLATERAL, block.timestamp + 1 hours);
        vm.prank(prover);
        market.fulfil(task, _words(1), _proof());
    }

    function _work(address prover) private {
        _workWith(modelId, prover, BOUNTY);
    }

    /// @dev Registers a mock model worth `units` work units per proof (units no longer weigh emissions).
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

    function _maxEmission() private view returns (uint256) {
        return MarketExtension(address(market)).MAX_EMISSION_PER_EPOCH();
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

    /// @dev The constructor's rate is in force from epoch 0, with nothing scheduled.
    function test_Constructor_InitialRateAppliesFromEpochZero() public {
        assertEq(market.emissionPerEpoch(), RATE);
        (uint256 scheduled, uint256 fromEpoch) = market.scheduledEmission();
        assertEq(scheduled, 0);
        assertEq(fromEpoch, 0);
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(1);
        market.finalizeEpochs();
        assertEq(market.epochInfo(0).emission, RATE);
    }

    function test_Epoch_WithoutEmissionRatePaysOnlyBounties() public {
        _useMarket(0);
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(1);
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, FEE, 0);
        market.finalizeEpochs();
        assertEq(_claimChecked(alice), BOUNTY);
        assertEq(_claimChecked(admin), FEE, "the treasury still gets the fee");
        assertEq(market.unallocatedEmissions(), FUNDED);
    }

    // ------------------------------------------------------------------ fees of the open epoch

    /// @dev Storage (`forge inspect contracts/MlproofMarket.sol:MlproofMarket storageLayout`, and MarketExtension's
    ///      identical prefix): slot 0 is the hot slot, `_paused` (byte 0), `_nextEpoch` (uint32, bytes 1-4),
    ///      `_currentFees` (uint128, bytes 5-20), `_pausedSeconds` (uint32, bytes 21-24), `_pausedAt` (uint32,
    ///      bytes 25-28); `_epochs` is the mapping at slot 6, an Epoch taking two slots ({fees, settledFees}, then
    ///      emission).
    uint256 private constant HOT_SLOT = 0;
    uint256 private constant EPOCHS_SLOT = 6;

    function _hot() private view returns (uint256) {
        return uint256(vm.load(address(market), bytes32(HOT_SLOT)));
    }

    function _hotFees() private view returns (uint256) {
        return (_hot() >> 40) & type(uint128).max;
    }

    function _hotNextEpoch() private view returns (uint256) {
        return (_hot() >> 8) & type(uint32).max;
    }

    function _epochWord(uint256 epoch, uint256 word) private view returns (uint256) {
        return uint256(vm.load(address(market), bytes32(uint256(keccak256(abi.encode(epoch, EPOCHS_SLOT))) + word)));
    }

    /// @dev Fees of the open epoch are reported by epochInfo for that epoch only (never for a neighbour), stay
    ///      with it while it is over but not finalized, move into its finalized record, and restart at zero.
    function test_EpochInfo_ReportsOpenEpochFeesUntilFinalized() public {
        _fundEmissions(FUNDED);
        _work(alice);
        _work(bob);
        assertEq(market.epochInfo(0).fees, 2 * FEE);
        assertEq(market.epochInfo(0).emission, 0, "not finalized");
        assertEq(market.epochInfo(1).fees, 0, "the next epoch has none");
        assertEq(market.claimable(admin), 0, "the running epoch's fees are not the treasury's yet");

        // Epoch 0 is over but nothing finalized it: the fees still belong to epoch 0, and the projection uses them.
        _toEpoch(1);
        assertEq(market.epochInfo(0).fees, 2 * FEE);
        assertEq(market.epochInfo(1).fees, 0);
        assertEq(market.claimable(alice), BOUNTY + RATE / 2);
        assertEq(market.claimable(admin), 2 * FEE, "treasury's fees of the ended epoch");

        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, 2 * FEE, RATE);
        market.finalizeEpochs();
        IRewards.Epoch memory e0 = market.epochInfo(0);
        assertEq(e0.fees, 2 * FEE);
        assertEq(e0.settledFees, 0);
        assertEq(e0.emission, RATE);
        assertEq(market.epochInfo(1).fees, 0, "the new open epoch starts at zero");
        assertEq(market.claimable(admin), 2 * FEE, "credited at finalization");

        _work(alice);
        assertEq(market.epochInfo(1).fees, FEE);
        assertEq(market.epochInfo(0).fees, 2 * FEE, "finalized record unchanged");
        assertEq(market.epochInfo(0).settledFees, FEE, "alice's epoch-0 share settled");

        // Work in epoch 4 finalizes epoch 1; epochs 2 and 3 had none and carry their emission.
        _toEpoch(4);
        _work(bob);
        assertEq(market.epochInfo(1).fees, FEE);
        assertEq(market.epochInfo(1).emission, RATE);
        assertEq(market.epochInfo(2).fees, 0);
        assertEq(market.epochInfo(3).fees, 0);
        assertEq(market.epochInfo(4).fees, FEE);
        assertEq(market.epochInfo(5).fees, 0);
        assertEq(market.carriedEmission(), 2 * RATE);

        _toEpoch(5);
        assertEq(_claimChecked(alice), 2 * BOUNTY + RATE / 2 + RATE);
        assertEq(_claimChecked(bob), 2 * BOUNTY + RATE / 2 + 3 * RATE);
        assertEq(_claimChecked(admin), 4 * FEE);
    }

    /// @dev A fulfilment adds its fee to the hot slot (next to the pause state and the epoch pointer) and leaves
    ///      the epoch's record untouched; finalization writes the record and clears the hot counter.
    function test_OpenEpochFees_LiveInHotSlotUntilFinalized() public {
        // The pause state shares the slot: flag in byte 0, start in bytes 25-28, accumulated seconds in 21-24.
        assertEq(_hot(), 0, "all zero at genesis");
        _pauseMarket();
        assertEq(_hot() & 0xff, 1, "_paused");
        assertEq((_hot() >> 200) & type(uint32).max, block.timestamp, "_pausedAt");
        skip(100);
        _unpauseMarket();
        assertEq(_hot() & 0xff, 0);
        assertEq((_hot() >> 168) & type(uint32).max, 100, "_pausedSeconds");
        assertEq((_hot() >> 200) & type(uint32).max, 0, "_pausedAt cleared");
        assertEq(market.pauseClock(), 100);

        _fundEmissions(FUNDED);
        _work(alice);
        _work(bob);
        assertEq(_hotFees(), 2 * FEE, "_currentFees");
        assertEq(_hotNextEpoch(), 0, "_nextEpoch");
        assertEq(_epochWord(0, 0), 0, "open epoch record not written");
        assertEq(_epochWord(0, 1), 0);

        _toEpoch(2);
        market.finalizeEpochs();
        assertEq(_hotFees(), 0, "counter cleared");
        assertEq(_hotNextEpoch(), 2, "_nextEpoch");
        assertEq((_hot() >> 168) & type(uint32).max, 100, "_pausedSeconds untouched");
        assertEq(_epochWord(0, 0) & type(uint128).max, 2 * FEE, "fees");
        assertEq(_epochWord(0, 0) >> 128, 0, "settledFees");
        assertEq(_epochWord(0, 1), RATE, "emission");
        assertEq(_epochWord(1, 0), 0, "an epoch without work writes no record");
        assertEq(_epochWord(1, 1), 0);

        _work(alice);
        assertEq(_hotFees(), FEE);
        assertEq(_epochWord(2, 0), 0);
        assertEq(_epochWord(0, 0) >> 128, FEE, "alice's share settled on her next work");
    }

    // ------------------------------------------------------------------ split

    function test_Split_ProportionalToFees() public {
        _fundEmissions(FUNDED);
        _work(alice);
        _work(alice);
        _work(bob);
        assertEq(market.epochInfo(0).fees, 3 * FEE);
        // Epoch 0 has not ended: only bounties are claimable.
        assertEq(market.claimable(alice), 2 * BOUNTY);
        assertEq(market.claimable(bob), BOUNTY);

        _toEpoch(1);
        uint256 aliceShare = RATE * 2 / 3; // floored
        uint256 bobShare = RATE / 3;
        assertEq(aliceShare, 6_666_666_666_666_666);
        assertEq(bobShare, 3_333_333_333_333_333);

        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, 3 * FEE, RATE);
        vm.expectEmit(true, true, false, true, address(market));
        emit IRewards.EmissionSettled(alice, 0, aliceShare);
        assertEq(_claimChecked(alice), 2 * BOUNTY + aliceShare);
        assertEq(_claimChecked(bob), BOUNTY + bobShare);

        IRewards.Epoch memory e = market.epochInfo(0);
        assertEq(e.fees, 3 * FEE);
        assertEq(e.settledFees, 3 * FEE);
        assertEq(e.emission, RATE);
        assertEq(market.unallocatedEmissions(), FUNDED - RATE);
        // One wei of dust stays in the market, next to the treasury's unclaimed fees.
        assertEq(RATE - aliceShare - bobShare, 1);
        assertEq(token.balanceOf(address(market)), 2 * uint256(MIN_STAKE) + FUNDED + 3 * FEE - aliceShare - bobShare);
    }

    /// @dev Shares follow the fees paid (bounty 7 vs 3), not the number of tasks.
    function test_Split_ByFeesOfDifferentBounties() public {
        _fundEmissions(FUNDED);
        _workWith(modelId, alice, 7e18);
        _workWith(modelId, bob, 3e18);
        assertEq(market.epochInfo(0).fees, 10e18 * uint256(FEE_BPS) / 10_000);
        _toEpoch(1);
        assertEq(_claimChecked(alice), 7e18 + RATE * 7 / 10);
        assertEq(_claimChecked(bob), 3e18 + RATE * 3 / 10);
    }

    /// @dev Work units no longer weigh anything: two models of 7 and 3 units at the same bounty split evenly.
    function test_Split_IgnoresWorkUnits() public {
        _fundEmissions(FUNDED);
        _workWith(_modelWithUnits(7), alice, BOUNTY);
        _workWith(_modelWithUnits(3), bob, BOUNTY);
        _toEpoch(1);
        assertEq(_claimChecked(alice), BOUNTY + RATE / 2);
        assertEq(_claimChecked(bob), BOUNTY + RATE / 2);
    }

    /// @dev A task taken low on its price ramp pays a fee scaled with the price, and weighs only that.
    function test_Split_RampPriceScalesTheFeeWeight() public {
        _fundEmissions(FUNDED);
        ITaskMarket.Offer memory offer = ITaskMarket.Offer({
            minPrice: BOUNTY / 5,
            bounty: BOUNTY,
            rampDelay: 100,
            rampPeriod: 1_000,
            collateral: COLLATERAL,
            deadline: block.timestamp + 1 hours
        });
        (ITaskMarket.Task memory task,) = _postOffer(requester, modelId, _words(77, 0, 0), offer);
        vm.prank(alice);
        market.fulfil(task, _words(1), _proof());
        _work(bob);
        assertEq(market.epochInfo(0).fees, FEE / 5 + FEE);
        assertEq(market.claimable(requester), BOUNTY - BOUNTY / 5 + FEE - FEE / 5, "unused bounty and fee back");
        _toEpoch(1);
        assertEq(_claimChecked(alice), BOUNTY / 5 + RATE * 1 / 6);
        assertEq(_claimChecked(bob), BOUNTY + RATE * 5 / 6);
        assertEq(_claimChecked(admin), FEE / 5 + FEE);
    }

    function test_Work_InLaterEpochSettlesEarlierShare() public {
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(1);
        (ITaskMarket.Task memory task,) = _post(modelId, _words(99, 0, 0));
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, FEE, RATE);
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
        assertEq(market.epochInfo(1).settledFees, FEE);
    }

    // ------------------------------------------------------------------ carry and caps

    function test_RollOver_EpochsWithoutWorkCarryTheirEmission() public {
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

    /// @dev However long the market is quiet, the carry stops at MAX_CARRY_EPOCHS rates; the rest stays in the pool.
    function test_Carry_CappedAtMaxCarryEpochs() public {
        assertEq(market.MAX_CARRY_EPOCHS(), 4);
        _fundEmissions(FUNDED);
        _toEpoch(5);
        market.finalizeEpochs();
        assertEq(market.carriedEmission(), 4 * RATE, "5 quiet epochs, 4 carried");
        _toEpoch(50);
        market.finalizeEpochs();
        assertEq(market.carriedEmission(), 4 * RATE);
        assertEq(market.unallocatedEmissions(), FUNDED, "nothing left the pool");

        _work(alice);
        _toEpoch(51);
        assertEq(market.claimable(alice), BOUNTY + 5 * RATE);
        market.finalizeEpochs();
        assertEq(market.epochInfo(50).emission, 5 * RATE);
        assertEq(market.unallocatedEmissions(), FUNDED - 5 * RATE);
        assertEq(market.carriedEmission(), 0);
    }

    /// @dev An epoch never emits more than its fees: a large rate is cut to the fees and the rest is not carried
    ///      (it stays in the pool).
    function test_EmissionCappedByFees() public {
        _useMarket(100 * FEE);
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(1);
        assertEq(market.claimable(alice), BOUNTY + FEE, "projection is capped too");
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, FEE, FEE);
        assertEq(_claimChecked(alice), BOUNTY + FEE);
        assertEq(market.unallocatedEmissions(), FUNDED - FEE);
        assertEq(market.carriedEmission(), 0, "the uncollected rate is not owed later");
    }

    function test_EmissionCappedByPool() public {
        _fundEmissions(3e15);
        _work(alice);
        _toEpoch(1);
        assertEq(market.claimable(alice), BOUNTY + 3e15, "projection is capped too");
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, FEE, 3e15);
        assertEq(_claimChecked(alice), BOUNTY + 3e15);
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
        assertEq(_claimChecked(admin), 3 * FEE);

        // Paid emissions never exceed what was funded; the market holds exactly stakes + unallocated pool.
        assertEq(token.balanceOf(address(market)), 2 * uint256(MIN_STAKE) + market.unallocatedEmissions());
        assertEq(market.unallocatedEmissions(), FUNDED - RATE);
    }

    // ------------------------------------------------------------------ treasury

    /// @dev The fees of an epoch are the treasury's once it has ended, and the treasury in office when it ended
    ///      keeps them: setTreasury finalizes first.
    function test_Treasury_GetsFeesOfEndedEpochs() public {
        _work(alice);
        _work(bob);
        assertEq(market.claimable(admin), 0);
        _toEpoch(1);
        assertEq(market.claimable(admin), 2 * FEE);
        address next = makeAddr("nextTreasury");
        vm.prank(admin);
        market.setTreasury(next);
        _work(alice);
        _toEpoch(2);
        assertEq(market.claimable(next), FEE);
        assertEq(_claimChecked(admin), 2 * FEE);
        assertEq(_claimChecked(next), FEE);
    }

    // ------------------------------------------------------------------ claim

    function test_RevertWhen_Claim_NothingToClaim() public {
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsNothingToClaim.selector, carol));
        vm.prank(carol);
        market.claim();
    }

    function test_RevertWhen_Claim_Twice() public {
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(1);
        _claimChecked(alice);
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsNothingToClaim.selector, alice));
        vm.prank(alice);
        market.claim();
    }

    function test_Claim_PaysBountyAndEmission() public {
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
        _fundEmissions(FUNDED);
        (ITaskMarket.Task memory t1,) = _post(modelId, _words(1, 1, 1));
        (ITaskMarket.Task memory t2,) = _post(modelId, _words(2, 2, 2));
        ITaskMarket.Task memory locked = _lock(_clone(t1), alice);
        vm.prank(requester);
        market.requestCancel(t2);
        skip(market.CANCEL_NOTICE());
        vm.prank(requester);
        market.cancelTask(t2);
        _work(bob);
        vm.warp(uint256(t1.deadline) + 1);
        vm.prank(carol);
        market.slash(locked);
        _toEpoch(1);
        // Requester: bounty and fee of t2 and of t1, and half of t1's collateral.
        assertEq(_claimChecked(requester), 2 * (BOUNTY + FEE) + COLLATERAL / 2);
        assertEq(_claimChecked(carol), COLLATERAL / 10);
        // Treasury: its fifth of the collateral and the fee of bob's task.
        assertEq(_claimChecked(admin), COLLATERAL / 5 + FEE);
        assertEq(_claimChecked(bob), BOUNTY + RATE);
        vm.expectRevert(abi.encodeWithSelector(IRewards.RewardsNothingToClaim.selector, alice));
        vm.prank(alice);
        market.claim();
    }

    function test_RevertWhen_Claim_Reentered() public {
        ReentrantToken evil = new ReentrantToken();
        IMlproofMarket evilMarket = _newMarket(IERC20(address(evil)), _defaultParams(), RATE);
        uint256 escrow = BOUNTY + FEE;
        evil.mint(requester, escrow);
        vm.startPrank(requester);
        evil.approve(address(evilMarket), escrow);
        evilMarket.postTask(modelId, _words(1, 2, 3), BOUNTY, COLLATERAL, block.timestamp + 1 hours, "");
        ITaskMarket.Task memory task =
            _task(requester, modelId, _words(1, 2, 3), BOUNTY, COLLATERAL, block.timestamp + 1 hours);
        evilMarket.requestCancel(task);
        skip(evilMarket.CANCEL_NOTICE());
        evilMarket.cancelTask(task);
        vm.stopPrank();
        assertEq(evilMarket.claimable(requester), escrow);

        evil.arm(address(evilMarket), abi.encodeCall(IRewards.claim, ()));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(requester);
        evilMarket.claim();
        assertEq(evilMarket.claimable(requester), escrow);
    }

    // ------------------------------------------------------------------ settle

    function test_Settle_ByThirdPartyCreditsWithoutPaying() public {
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
        assertEq(market.epochInfo(0).settledFees, FEE);

        // Settling twice credits nothing more.
        vm.recordLogs();
        vm.prank(carol);
        market.settle(alice);
        assertEq(vm.getRecordedLogs().length, 0);
        assertEq(market.claimable(alice), announced);
        assertEq(_claimChecked(alice), announced);
    }

    function test_Settle_BeforeEpochEndsDoesNothing() public {
        _fundEmissions(FUNDED);
        _work(alice);
        market.settle(alice);
        assertEq(market.epochInfo(0).settledFees, 0);
        assertEq(market.claimable(alice), BOUNTY);
    }

    // ------------------------------------------------------------------ dust

    function test_RevertWhen_RecycleDust_EpochNotSettled() public {
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
        uint256 owed = market.claimable(alice) + market.claimable(bob) + market.claimable(admin);
        assertEq(token.balanceOf(address(market)), 2 * uint256(MIN_STAKE) + market.unallocatedEmissions() + owed);
    }

    // ------------------------------------------------------------------ emission rate

    /// @dev A rate set during an epoch applies from the next one; the very next finalization (of the epoch in
    ///      which it was set) still uses the old rate.
    function test_SetEmissionPerEpoch_RunningEpochKeepsItsRate() public {
        _fundEmissions(FUNDED);
        _work(alice);
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged("emissionPerEpoch", RATE, 5 * RATE);
        vm.expectEmit(false, false, false, true, address(market));
        emit IRewards.EmissionRateScheduled(5 * RATE, 1);
        _setRate(5 * RATE);
        assertEq(market.emissionPerEpoch(), RATE, "the running epoch keeps its rate");
        (uint256 scheduled, uint256 fromEpoch) = market.scheduledEmission();
        assertEq(scheduled, 5 * RATE);
        assertEq(fromEpoch, 1);
        _work(bob);

        _toEpoch(1);
        assertEq(market.emissionPerEpoch(), 5 * RATE);
        assertEq(market.claimable(alice), BOUNTY + RATE / 2, "projection at the old rate");
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, 2 * FEE, RATE);
        market.finalizeEpochs();
        (scheduled, fromEpoch) = market.scheduledEmission();
        assertEq(fromEpoch, 0, "applied");
        assertEq(market.emissionPerEpoch(), 5 * RATE);

        _work(alice);
        _toEpoch(2);
        assertEq(_claimChecked(alice), 2 * BOUNTY + RATE / 2 + 5 * RATE);
        assertEq(_claimChecked(bob), BOUNTY + RATE / 2);
    }

    /// @dev Quiet epochs spanning the change carry at the rate of each epoch: the old rate up to the change, the
    ///      new one after, all in one lazy finalization.
    function test_SetEmissionPerEpoch_SkippedEpochsSpanningChange() public {
        _fundEmissions(FUNDED);
        _work(alice); // epoch 0, old rate
        _setRate(5 * RATE); // from epoch 1
        // Nothing happens in epochs 1 and 2; bob works in epoch 3.
        _toEpoch(3);
        _work(bob);
        assertEq(market.epochInfo(0).emission, RATE, "epoch 0 at its own rate");
        assertEq(market.carriedEmission(), 10 * RATE, "epochs 1 and 2 at the new rate");
        _toEpoch(4);
        assertEq(_claimChecked(alice), BOUNTY + RATE);
        assertEq(_claimChecked(bob), BOUNTY + 15 * RATE);
    }

    /// @dev A change scheduled while quiet epochs are pending: epochs before it carry the old rate, later ones the
    ///      new rate, and a lower rate lowers the carry's cap at once.
    function test_SetEmissionPerEpoch_LowerRateLowersCarryCap() public {
        _fundEmissions(FUNDED);
        _toEpoch(2);
        _setRate(RATE / 2); // finalizes epochs 0-1 (carry 2 RATE), from epoch 3
        assertEq(market.carriedEmission(), 2 * RATE);
        _toEpoch(10);
        _work(alice);
        // Epochs 0-2 at RATE, 3-9 at RATE / 2: 6.5 RATE, capped at 4 * RATE / 2.
        assertEq(market.carriedEmission(), 2 * RATE);
        _toEpoch(11);
        assertEq(_claimChecked(alice), BOUNTY + RATE / 2 + 2 * RATE);
        assertEq(market.unallocatedEmissions(), FUNDED - RATE / 2 - 2 * RATE, "the excess stayed in the pool");
    }

    /// @dev Ended epochs are finalized at the rates they ran with before a new rate is scheduled.
    function test_SetEmissionPerEpoch_FinalizesPastEpochsAtOldRate() public {
        _fundEmissions(FUNDED);
        _work(alice);
        _toEpoch(2); // epoch 1 has no work
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, FEE, RATE);
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged("emissionPerEpoch", RATE, 5 * RATE);
        _setRate(5 * RATE);
        assertEq(market.emissionPerEpoch(), RATE, "epoch 2 keeps the old rate");
        assertEq(market.epochInfo(0).emission, RATE);
        assertEq(market.carriedEmission(), RATE, "epoch 1 carried at the old rate");

        _work(bob); // epoch 2: old rate + carry
        _toEpoch(3);
        _work(bob); // epoch 3: new rate
        _toEpoch(4);
        assertEq(_claimChecked(alice), BOUNTY + RATE);
        assertEq(_claimChecked(bob), 2 * BOUNTY + 2 * RATE + 5 * RATE);
        assertEq(market.epochInfo(2).emission, 2 * RATE);
        assertEq(market.epochInfo(3).emission, 5 * RATE);
    }

    /// @dev Two changes in one epoch: the later one wins, both from the next epoch.
    function test_SetEmissionPerEpoch_TwiceInOneEpochLastWins() public {
        _setRate(5 * RATE);
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged("emissionPerEpoch", 5 * RATE, 2 * RATE);
        _setRate(2 * RATE);
        (uint256 scheduled, uint256 fromEpoch) = market.scheduledEmission();
        assertEq(scheduled, 2 * RATE);
        assertEq(fromEpoch, 1);
        assertEq(market.emissionPerEpoch(), RATE);
        _toEpoch(1);
        assertEq(market.emissionPerEpoch(), 2 * RATE);
    }

    function test_RevertWhen_SetEmissionPerEpoch_NotTreasury() public {
        bytes32 role = market.TREASURY_ROLE();
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, carol, role));
        vm.prank(carol);
        market.setEmissionPerEpoch(RATE);
    }

    function test_RevertWhen_SetEmissionPerEpoch_TooHigh() public {
        uint256 max = _maxEmission();
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketGovernance.MarketGovernanceOutOfBounds.selector, bytes32("emissionPerEpoch"), max + 1, max
            )
        );
        vm.prank(admin);
        market.setEmissionPerEpoch(max + 1);
        _setRate(max);
        assertEq(market.emissionPerEpoch(), RATE);
        _toEpoch(1);
        assertEq(market.emissionPerEpoch(), max);
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev For any split of bounties among 2-4 provers, any rate and any pool: the epoch gets
    ///      min(rate, pool, fees), each prover floor(emission * fee / fees) <= its fee, the settled total never
    ///      exceeds the emission, the dust is below the number of provers, and recycling it leaves
    ///      pool + paid == funded.
    function testFuzz_Split_SettledNeverExceedsEmission(
        uint256[4] memory bounties,
        uint8 count,
        uint256 rate,
        uint256 funded
    ) public {
        uint256 n = bound(count, 2, 4);
        rate = bound(rate, 0, _maxEmission());
        funded = bound(funded, 1, 1e27);
        _useMarket(rate);
        _fundEmissions(funded);

        address[] memory provers = new address[](n);
        uint256[] memory fees = new uint256[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            bounties[i] = bound(bounties[i], MIN_BOUNTY, 1e27);
            fees[i] = market.feeFor(bounties[i]);
            total += fees[i];
            provers[i] = makeAddr(string(abi.encodePacked("prover", vm.toString(i))));
            _stakeFor(provers[i], MIN_STAKE);
            _workWith(modelId, provers[i], bounties[i]);
        }
        _toEpoch(1);
        market.finalizeEpochs();
        uint256 emission = rate < funded ? rate : funded;
        if (emission > total) emission = total;
        assertEq(market.epochInfo(0).emission, emission);
        assertEq(market.epochInfo(0).fees, total);

        uint256 settled;
        for (uint256 i; i < n; ++i) {
            uint256 share = market.claimable(provers[i]) - bounties[i];
            assertEq(share, emission * fees[i] / total, "share");
            assertLe(share, fees[i], "share <= own fees");
            settled += share;
            assertEq(_claimChecked(provers[i]), bounties[i] + share);
        }
        assertLe(settled, emission);
        uint256 dust = emission - settled;
        assertLt(dust, n);

        market.recycleDust(0);
        assertEq(market.unallocatedEmissions() + settled, funded, "pool + paid == funded");
        assertEq(_claimChecked(admin), total);
        assertEq(token.balanceOf(address(market)), (n + 2) * uint256(MIN_STAKE) + market.unallocatedEmissions());
    }
}
