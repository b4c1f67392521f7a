// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IRewards} from "../contracts/interfaces/IRewards.sol";
import {IStaking} from "../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";

/// @notice Issue 14's economic properties of the market, scenario by scenario: fee-weighted emissions that
///         self-dealing cannot farm, the capped carry, two-step cancellation, the reverse-Dutch lock price,
///         rate changes that apply from the next epoch, and pauses that cannot cost a prover its collateral.
/// @dev Each property test below fails on the market before issue 14 (commit a50c98a): there a requester could
///      cancel in front of a pending fulfil, the lock price was the bounty, the owner could pause and then slash,
///      deadlines ran during pauses, slash terms were read at slash time, an overdue lock froze all of a prover's
///      stake (StakingSlashPending) and a statement could be squatted with the minimum bounty.
contract MarketEconomicsTest is MarketTestBase {
    address internal constant BURN = 0x000000000000000000000000000000000000dEaD;
    uint256 internal constant FEE = BOUNTY * FEE_BPS / 10_000;
    uint256 internal constant ESCROW = BOUNTY + FEE;

    MockGroth16Verifier internal verifier;
    uint256 internal modelId;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    uint256 private _nonce;

    function setUp() public {
        _deployCore();
        (modelId, verifier) = _registerMock(1, 1);
        _stakeFor(alice, MIN_STAKE);
    }

    function _input() internal returns (uint256[] memory) {
        return _words(++_nonce);
    }

    function _fulfil(ITaskMarket.Task memory task, address prover) internal {
        vm.prank(prover);
        market.fulfil(task, _words(1), _proof());
    }

    function _verified(ITaskMarket.Task memory task) internal view returns (bool verified) {
        (verified,) = market.verifiedOutput(task.modelId, keccak256(abi.encodePacked(task.input)));
    }

    function _requestCancel(ITaskMarket.Task memory task) internal {
        vm.prank(task.requester);
        market.requestCancel(task);
    }

    function _offer(uint256 minPrice, uint256 bounty, uint256 rampDelay, uint256 rampPeriod)
        internal
        view
        returns (ITaskMarket.Offer memory)
    {
        return ITaskMarket.Offer({
            minPrice: minPrice,
            bounty: bounty,
            rampDelay: uint32(rampDelay),
            rampPeriod: uint32(rampPeriod),
            collateral: MIN_COLLATERAL,
            deadline: block.timestamp + rampDelay + rampPeriod + 1 hours
        });
    }

    /// @dev A valid fuzzed offer: minBounty <= minPrice <= bounty <= 1e27, ramp delay and period up to 2 days.
    function _boundedOffer(uint256 minPrice, uint256 bounty, uint256 rampDelay, uint256 rampPeriod)
        internal
        view
        returns (ITaskMarket.Offer memory)
    {
        bounty = bound(bounty, MIN_BOUNTY, 1e27);
        minPrice = bound(minPrice, MIN_BOUNTY, bounty);
        return _offer(minPrice, bounty, bound(rampDelay, 0, 2 days), bound(rampPeriod, 0, 2 days));
    }

    /// @dev The ramp, written out independently of the market: minPrice until rampStart, linear to the bounty at
    ///      rampEnd, the bounty from rampEnd on (a zero-length ramp jumps to the bounty at rampStart).
    function _expectedPrice(ITaskMarket.Task memory t, uint256 at) internal pure returns (uint256) {
        if (at >= t.rampEnd) return t.bounty;
        if (at <= t.rampStart) return t.minPrice;
        return t.minPrice + (uint256(t.bounty) - t.minPrice) * (at - t.rampStart) / (uint256(t.rampEnd) - t.rampStart);
    }

    function test_Smoke_PostLockFulfilClaim() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(task, alice);
        _fulfil(locked, alice);
        assertEq(market.claimable(alice), BOUNTY);
        vm.warp(block.timestamp + EPOCH);
        assertEq(market.claimable(admin), BOUNTY * FEE_BPS / 10_000, "treasury fee");
    }

    // =============================================================== (2) no free outputs

    /// @dev The old attack: the requester sees a fulfil in the mempool and cancels in front of it. Now the cancel
    ///      only starts a notice: the immediate cancel reverts, the fulfil lands and is paid, and the requester's
    ///      later cancel finds no open task.
    function test_NoFreeOutput_CancelInFrontOfFulfilFails() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        _requestCancel(task);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, id));
        vm.prank(requester);
        market.cancelTask(task);

        _fulfil(task, alice);
        assertTrue(_verified(task));
        assertEq(market.claimable(alice), BOUNTY, "prover paid");
        assertEq(market.cancelDueAt(id), 0, "request cleared");
        vm.warp(block.timestamp + market.CANCEL_NOTICE());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(requester);
        market.cancelTask(task);
        assertEq(market.claimable(requester), 0, "requester keeps no refund");
    }

    /// @dev Any fulfil within the notice (fuzzed moment) is accepted and paid; cancelTask before due reverts.
    function testFuzz_NoFreeOutput_FulfilWithinNoticeIsPaid(uint256 after_) public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        _requestCancel(task);
        uint256 due = market.cancelDueAt(id);
        assertEq(due, block.timestamp + market.CANCEL_NOTICE());
        vm.warp(block.timestamp + bound(after_, 0, market.CANCEL_NOTICE() - 1));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, id));
        vm.prank(requester);
        market.cancelTask(task);
        _fulfil(task, alice);
        assertEq(market.claimable(alice), BOUNTY);
        assertEq(market.claimable(requester), 0);
    }

    /// @dev Once the notice is over, fulfils are refused (TaskMarketCancelling) and the cancellation refunds the
    ///      bounty and the fee.
    function test_NoFreeOutput_AfterDueFulfilRevertsAndCancelRefunds() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        _requestCancel(task);
        vm.warp(market.cancelDueAt(id));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketCancelling.selector, id));
        _fulfil(task, alice);
        vm.expectEmit(true, true, false, true, address(market));
        emit ITaskMarket.TaskCancelled(id, requester);
        vm.prank(requester);
        market.cancelTask(task);
        assertEq(market.claimable(requester), ESCROW, "bounty + fee");
        assertFalse(_verified(task));
        vm.prank(requester);
        assertEq(market.claim(), ESCROW);
    }

    function test_NoFreeOutput_RevertWhen_LockAfterCancelRequest() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        _requestCancel(task);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketCancelling.selector, id));
        vm.prank(alice);
        market.lockTask(task);
    }

    function testFuzz_NoFreeOutput_RevertWhen_RequestCancelByNonRequester(address caller) public {
        vm.assume(caller != requester);
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotRequester.selector, id, caller));
        vm.prank(caller);
        market.requestCancel(task);
        assertEq(market.cancelDueAt(id), 0);
    }

    /// @dev The notice runs on unpaused time only: a pause of any length (fuzzed, at any point of the notice)
    ///      pushes the due time back by exactly its length, so a prover blocked by the pause still gets the full
    ///      notice to deliver.
    function testFuzz_NoFreeOutput_NoticeDoesNotRunWhilePaused(uint256 pauseAt, uint256 pauseLength, bool deliver)
        public
    {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        uint256 notice = market.CANCEL_NOTICE();
        uint256 t0 = block.timestamp;
        _requestCancel(task);
        pauseAt = bound(pauseAt, 0, notice - 1);
        pauseLength = bound(pauseLength, 1, 2 * market.MAX_PAUSE());
        vm.warp(t0 + pauseAt);
        _pauseMarket();
        vm.warp(t0 + pauseAt + pauseLength);
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        _fulfil(task, alice);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, id));
        market.cancelTask(task);
        _unpauseMarket();

        uint256 due = t0 + notice + pauseLength;
        assertEq(market.cancelDueAt(id), due, "due time moved by the pause");
        vm.warp(due - 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, id));
        market.cancelTask(task);
        if (deliver) {
            _fulfil(task, alice);
            assertEq(market.claimable(alice), BOUNTY);
            return;
        }
        vm.warp(due);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketCancelling.selector, id));
        _fulfil(task, alice);
        market.cancelTask(task);
        assertEq(market.claimable(requester), ESCROW);
    }

    // =============================================================== (3) price discovery

    /// @dev For any ramp and lock time: the lock price is the linear ramp price, within [minPrice, bounty]; the
    ///      stored task carries it with the fee scaled to it; the requester is refunded exactly the rest of the
    ///      escrow; the prover is paid the price on fulfilment and the epoch records the scaled fee.
    function testFuzz_Price_LockPriceFollowsRamp(
        uint256 minPrice,
        uint256 bounty,
        uint256 rampDelay,
        uint256 rampPeriod,
        uint256 lockAfter
    ) public {
        bounty = bound(bounty, MIN_BOUNTY, 1e27);
        minPrice = bound(minPrice, MIN_BOUNTY, bounty);
        rampDelay = bound(rampDelay, 0, 2 days);
        rampPeriod = bound(rampPeriod, 0, 2 days);
        ITaskMarket.Offer memory offer = _offer(minPrice, bounty, rampDelay, rampPeriod);
        (ITaskMarket.Task memory task,) = _postOffer(requester, modelId, _input(), offer);
        vm.warp(block.timestamp + bound(lockAfter, 0, offer.deadline - block.timestamp));

        uint256 price = _expectedPrice(task, block.timestamp);
        assertEq(market.priceAt(task, block.timestamp), price, "linear ramp");
        assertLe(price, bounty);
        assertGe(price, minPrice);
        uint256 fee = uint256(task.fee) * price / bounty;
        assertEq(market.feeAt(task, price), fee);

        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        assertEq(locked.bounty, price);
        assertEq(locked.minPrice, price);
        assertEq(locked.fee, fee);
        assertEq(market.priceAt(locked, block.timestamp + 365 days), price, "fixed once locked");
        assertEq(market.claimable(requester), bounty - price + task.fee - fee, "refund above the price");

        _fulfil(locked, alice);
        assertEq(market.claimable(alice), price);
        assertEq(market.epochInfo(market.currentEpoch()).fees, fee);
        // Everything escrowed is accounted for: price to the prover, fee to the epoch, the rest to the requester.
        assertEq(market.claimable(alice) + market.claimable(requester) + fee, bounty + task.fee);
    }

    /// @dev The price never falls as time passes.
    function testFuzz_Price_MonotoneInTime(
        uint256 minPrice,
        uint256 bounty,
        uint256 rampDelay,
        uint256 rampPeriod,
        uint256 t1,
        uint256 t2
    ) public {
        bounty = bound(bounty, MIN_BOUNTY, 1e27);
        minPrice = bound(minPrice, MIN_BOUNTY, bounty);
        rampDelay = bound(rampDelay, 0, 2 days);
        rampPeriod = bound(rampPeriod, 0, 2 days);
        (ITaskMarket.Task memory task,) =
            _postOffer(requester, modelId, _input(), _offer(minPrice, bounty, rampDelay, rampPeriod));
        t1 = bound(t1, 0, 5 days);
        t2 = bound(t2, t1, 5 days);
        uint256 p1 = market.priceAt(task, block.timestamp + t1);
        uint256 p2 = market.priceAt(task, block.timestamp + t2);
        assertLe(p1, p2, "non-decreasing");
        assertEq(p1, _expectedPrice(task, block.timestamp + t1));
        assertEq(p2, _expectedPrice(task, block.timestamp + t2));
    }

    /// @dev Two requesters post the same offer at the same time; the one whose task is locked earlier never pays
    ///      more (price plus fee) than the one locked later: getting in first only lowers what a requester pays.
    function testFuzz_Price_LockingEarlierNeverCostsMore(
        uint256 minPrice,
        uint256 bounty,
        uint256 rampDelay,
        uint256 rampPeriod,
        uint256 t1,
        uint256 t2
    ) public {
        ITaskMarket.Offer memory offer = _boundedOffer(minPrice, bounty, rampDelay, rampPeriod);
        address early = makeAddr("early");
        address late = makeAddr("late");
        (ITaskMarket.Task memory a,) = _postOffer(early, modelId, _input(), offer);
        (ITaskMarket.Task memory b,) = _postOffer(late, modelId, _input(), offer);
        uint256 t0 = block.timestamp;
        t1 = bound(t1, 0, offer.deadline - t0);
        t2 = bound(t2, t1, offer.deadline - t0);
        vm.warp(t0 + t1);
        _lock(_clone(a), alice);
        vm.warp(t0 + t2);
        _lock(_clone(b), alice);
        uint256 paidEarly = offer.bounty + a.fee - market.claimable(early);
        uint256 paidLate = offer.bounty + b.fee - market.claimable(late);
        assertLe(paidEarly, paidLate, "earlier lock costs no more");
        assertGe(paidEarly, offer.minPrice, "never below the requester's minimum");
    }

    /// @dev An unlocked fulfil pays the ramp price at the moment of fulfilment and refunds the rest.
    function testFuzz_Price_UnlockedFulfilPaysRampPrice(
        uint256 minPrice,
        uint256 bounty,
        uint256 rampDelay,
        uint256 rampPeriod,
        uint256 fulfilAfter
    ) public {
        bounty = bound(bounty, MIN_BOUNTY, 1e27);
        minPrice = bound(minPrice, MIN_BOUNTY, bounty);
        rampDelay = bound(rampDelay, 0, 2 days);
        rampPeriod = bound(rampPeriod, 0, 2 days);
        ITaskMarket.Offer memory offer = _offer(minPrice, bounty, rampDelay, rampPeriod);
        (ITaskMarket.Task memory task,) = _postOffer(requester, modelId, _input(), offer);
        vm.warp(block.timestamp + bound(fulfilAfter, 0, offer.deadline - block.timestamp));
        uint256 price = _expectedPrice(task, block.timestamp);
        uint256 fee = uint256(task.fee) * price / bounty;
        _fulfil(task, alice);
        assertEq(market.claimable(alice), price);
        assertEq(market.claimable(requester), bounty - price + task.fee - fee);
        assertEq(market.epochInfo(market.currentEpoch()).fees, fee);
    }

    /// @dev A concrete ramp, spelled out: 2 until +100 s, then +1 per 100 s up to 6 at +500 s.
    function test_Price_ConcreteRamp() public {
        (ITaskMarket.Task memory task,) = _postOffer(requester, modelId, _input(), _offer(2e18, 6e18, 100, 400));
        uint256 t0 = block.timestamp;
        assertEq(market.priceAt(task, t0), 2e18);
        assertEq(market.priceAt(task, t0 + 100), 2e18);
        assertEq(market.priceAt(task, t0 + 200), 3e18);
        assertEq(market.priceAt(task, t0 + 300), 4e18);
        assertEq(market.priceAt(task, t0 + 499), 6e18 - 1e16);
        assertEq(market.priceAt(task, t0 + 500), 6e18);
        assertEq(market.priceAt(task, t0 + 5000), 6e18);
        vm.warp(t0 + 200);
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        assertEq(locked.bounty, 3e18);
        assertEq(market.claimable(requester), 3e18 + task.fee - locked.fee);
        assertEq(locked.fee, uint256(3e18) * FEE_BPS / 10_000);
    }

    /// @dev Offers whose ramp is inverted, starts below the minimum bounty, or does not end before the deadline.
    function testFuzz_Price_RevertWhen_InvalidOffer(uint256 kind, uint256 a, uint256 b) public {
        ITaskMarket.Offer memory offer = _offer(BOUNTY, BOUNTY, 0, 0);
        kind %= 3;
        if (kind == 0) {
            offer.bounty = bound(a, MIN_BOUNTY, 1e27 - 1);
            offer.minPrice = bound(b, offer.bounty + 1, 1e27);
        } else if (kind == 1) {
            offer.minPrice = bound(b, 0, MIN_BOUNTY - 1);
        } else {
            uint256 span = offer.deadline - block.timestamp;
            uint256 total = bound(a, span, span + 1 days);
            offer.rampDelay = uint32(bound(b, 0, total));
            offer.rampPeriod = uint32(total - offer.rampDelay);
        }
        uint256 escrow = offer.bounty + market.feeFor(offer.bounty);
        token.mint(requester, escrow);
        vm.startPrank(requester);
        token.approve(address(market), escrow);
        vm.expectRevert(ITaskMarket.TaskMarketInvalidOffer.selector);
        market.postTaskWithOffer(modelId, _input(), offer, "");
        vm.stopPrank();
    }

    // =============================================================== (4) pauses cannot cost a prover

    /// @dev The owner pauses, the deadline passes during the pause, the owner tries to slash: refused while paused
    ///      (EnforcedPause), and after the pause refused too (NotExpired), because the pause moved the deadline.
    function testFuzz_Pause_NothingSlashedWhilePaused(uint256 pauseLength) public {
        pauseLength = bound(pauseLength, 1 hours + 1, market.MAX_PAUSE());
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        _pauseMarket();
        vm.warp(block.timestamp + pauseLength);
        assertGt(block.timestamp, task.deadline, "wall-clock deadline passed during the pause");
        address[3] memory callers = [admin, carol, requester];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
            vm.prank(callers[i]);
            market.slash(locked);
        }
        _unpauseMarket();
        uint256 effective = uint256(task.deadline) + pauseLength;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotExpired.selector, id, effective));
        vm.prank(admin);
        market.slash(locked);
        assertEq(market.stakeOf(alice), MIN_STAKE, "nothing slashed");
    }

    /// @dev A pause (fuzzed start and length) extends the effective deadline by its length: the prover, unable to
    ///      fulfil during the pause, can still fulfil up to the extended deadline and is not slashable before it.
    function testFuzz_Pause_ExtendsDeadline(uint256 pauseAt, uint256 pauseLength, bool deliver) public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        uint256 t0 = block.timestamp;
        pauseAt = bound(pauseAt, 0, uint256(task.deadline) - t0);
        pauseLength = bound(pauseLength, 1, market.MAX_PAUSE());
        vm.warp(t0 + pauseAt);
        _pauseMarket();
        vm.warp(t0 + pauseAt + pauseLength);
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        _fulfil(locked, alice);
        _unpauseMarket();

        uint256 effective = uint256(task.deadline) + pauseLength;
        assertEq(market.effectiveDeadline(locked), effective);
        vm.warp(effective);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotExpired.selector, id, effective));
        vm.prank(carol);
        market.slash(locked);
        if (deliver) {
            _fulfil(locked, alice);
            assertEq(market.claimable(alice), BOUNTY);
            assertEq(market.accountOf(alice).locked, 0);
            return;
        }
        vm.warp(effective + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketExpired.selector, id, effective));
        _fulfil(locked, alice);
        vm.prank(carol);
        market.slash(locked);
        assertEq(market.stakeOf(alice), MIN_STAKE - COLLATERAL, "slashed only after the extended deadline");
    }

    /// @dev Anyone may lift a pause once it has lasted MAX_PAUSE; before that only the admin or a pauser may.
    function testFuzz_Pause_AnyoneUnpausesAfterMaxPause(address anyone, uint256 elapsed) public {
        vm.assume(anyone != admin);
        elapsed = bound(elapsed, 0, 3 * market.MAX_PAUSE());
        uint256 pausedAt = block.timestamp;
        _pauseMarket();
        vm.warp(pausedAt + elapsed);
        uint256 liftableAt = pausedAt + market.MAX_PAUSE();
        if (elapsed < market.MAX_PAUSE()) {
            vm.expectRevert(
                abi.encodeWithSelector(IMarketGovernance.MarketGovernancePauseNotExpired.selector, liftableAt)
            );
            vm.prank(anyone);
            market.unpause();
            assertTrue(market.paused());
            vm.warp(liftableAt);
        }
        vm.expectEmit(false, false, false, true, address(market));
        emit IMarketGovernance.Unpaused(anyone, block.timestamp - pausedAt);
        vm.prank(anyone);
        market.unpause();
        assertFalse(market.paused());
        assertEq(market.pauseClock(), block.timestamp - pausedAt);
    }

    /// @dev The pauser (here the admin) may lift its pause at once.
    function test_Pause_PauserUnpausesAnyTime() public {
        _pauseMarket();
        vm.warp(block.timestamp + 1);
        _unpauseMarket();
        assertFalse(market.paused());
        assertEq(market.pauseClock(), 1);
    }

    /// @dev While paused, and with an overdue lock, a prover can still claim its earnings, unbond its free stake
    ///      and withdraw it; requesters can still start and finish cancellations.
    function test_Pause_ExitsWorkWhilePaused() public {
        (ITaskMarket.Task memory done,) = _post(modelId, _input());
        _fulfil(done, alice);
        (ITaskMarket.Task memory overdue,) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(overdue), alice);
        (ITaskMarket.Task memory open, bytes32 openId) =
            _postWith(requester, modelId, _input(), BOUNTY, COLLATERAL, block.timestamp + 2 hours);
        vm.warp(uint256(overdue.deadline) + 1);
        _pauseMarket();

        vm.prank(alice);
        assertEq(market.claim(), BOUNTY, "claim while paused");
        uint256 free = MIN_STAKE - COLLATERAL;
        vm.prank(alice);
        market.requestUnstake(free);
        vm.warp(block.timestamp + UNBONDING);
        assertTrue(market.paused());
        vm.prank(alice);
        assertEq(market.withdraw(), free, "withdraw while paused");
        assertEq(token.balanceOf(alice), BOUNTY + free);
        assertEq(market.accountOf(alice).locked, COLLATERAL, "the overdue collateral stays locked");

        // The requester's open task: its wall-clock deadline passed during the pause, but deadlines and the
        // notice only run while unpaused; the requester can still start the cancellation, and finish it once due.
        _requestCancel(open);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, openId));
        market.cancelTask(open);
        vm.prank(admin);
        market.unpause();
        vm.warp(block.timestamp + market.CANCEL_NOTICE());
        market.cancelTask(open);
        assertEq(market.claimable(requester), ESCROW);
        // And the overdue lock is still slashable once unpaused.
        vm.prank(carol);
        market.slash(locked);
        assertEq(market.stakeOf(alice), 0);
    }

    /// @dev Slash terms changed after a lock (fuzzed new terms) do not apply to it: the split follows the terms
    ///      fixed at lock; a task locked after the change gets the new terms.
    function testFuzz_Pause_SlashTermsFixedAtLock(uint16 requesterBps, uint16 callerBps, uint16 burnBps) public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        IMarketGovernance.Params memory p = _defaultParams();
        p.slashRequesterBps = uint16(bound(requesterBps, 0, 10_000));
        p.slashCallerBps = uint16(bound(callerBps, 0, 10_000 - p.slashRequesterBps));
        p.slashBurnBps = uint16(bound(burnBps, 0, 10_000 - p.slashRequesterBps - p.slashCallerBps));
        vm.prank(admin);
        market.setParams(p);

        vm.warp(uint256(task.deadline) + 1);
        uint256 toRequester = COLLATERAL * SLASH_REQUESTER_BPS / 10_000;
        uint256 toCaller = COLLATERAL * SLASH_CALLER_BPS / 10_000;
        uint256 burned = COLLATERAL * SLASH_BURN_BPS / 10_000;
        vm.expectEmit(true, true, true, true, address(market));
        emit ITaskMarket.TaskSlashed(
            id, alice, carol, toRequester, toCaller, burned, COLLATERAL - toRequester - toCaller - burned
        );
        vm.prank(carol);
        market.slash(locked);
        assertEq(market.claimable(requester), toRequester + ESCROW);
        assertEq(market.claimable(carol), toCaller);
        assertEq(token.balanceOf(BURN), burned);

        // A new lock takes the new terms.
        _stakeFor(bob, MIN_STAKE);
        (ITaskMarket.Task memory next,) = _post(modelId, _input());
        ITaskMarket.Task memory l2 = _lock(next, bob);
        assertEq(l2.slashRequesterBps, p.slashRequesterBps);
        assertEq(l2.slashCallerBps, p.slashCallerBps);
        assertEq(l2.slashBurnBps, p.slashBurnBps);
    }

    /// @dev No role can slash a task that is not overdue: the admin (who holds every role here), a fresh holder of
    ///      every role, or anyone else; an unlocked task cannot be slashed at all.
    function test_Pause_NoRoleSlashesNonExpiredTask() public {
        address governor = makeAddr("governor");
        vm.startPrank(admin);
        market.grantRole(market.DEFAULT_ADMIN_ROLE(), governor);
        market.grantRole(market.TREASURY_ROLE(), governor);
        market.grantRole(market.PAUSER_ROLE(), governor);
        vm.stopPrank();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        (ITaskMarket.Task memory unlocked, bytes32 uid) = _post(modelId, _input());
        vm.warp(task.deadline);
        address[4] memory callers = [admin, governor, requester, carol];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotExpired.selector, id, task.deadline));
            vm.prank(callers[i]);
            market.slash(locked);
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotLocked.selector, uid));
            vm.prank(callers[i]);
            market.slash(unlocked);
        }
        assertEq(market.stakeOf(alice), MIN_STAKE);
        assertEq(market.accountOf(alice).locked, COLLATERAL);
    }

    // =============================================================== (8) liveness

    /// @dev An overdue (slashable) lock no longer freezes a prover's free stake: it can unbond and withdraw it,
    ///      while the collateral stays locked and slashable.
    function test_Liveness_OverdueLockDoesNotFreezeFreeStake() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        vm.warp(uint256(task.deadline) + 1);
        uint256 free = MIN_STAKE - COLLATERAL;
        assertEq(market.freeStakeOf(alice), free);

        vm.prank(alice);
        market.requestUnstake(free);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, 0, 1));
        vm.prank(alice);
        market.requestUnstake(1);
        vm.warp(block.timestamp + UNBONDING);
        vm.prank(alice);
        assertEq(market.withdraw(), free);
        assertEq(token.balanceOf(alice), free);

        IStaking.Account memory a = market.accountOf(alice);
        assertEq(a.active, COLLATERAL);
        assertEq(a.locked, COLLATERAL);
        vm.prank(carol);
        market.slash(locked);
        assertEq(market.stakeOf(alice), 0, "the collateral was still there to slash");
        assertEq(market.claimable(requester), COLLATERAL * SLASH_REQUESTER_BPS / 10_000 + ESCROW);
    }

    /// @dev Squatting: a squatter holds a statement with the minimum bounty; an honest requester outbids it by at
    ///      least MIN_OUTBID_BPS. The squatter is refunded in full, the new task replaces the old and is fulfilled
    ///      and paid; the squatter's struct is dead, and a cancel request it made does not carry over.
    function test_Liveness_OutbidReplacesSquattedTask() public {
        address squatter = makeAddr("squatter");
        address honest = makeAddr("honest");
        uint256[] memory input = _input();
        (ITaskMarket.Task memory squat, bytes32 id) =
            _postWith(squatter, modelId, input, MIN_BOUNTY, COLLATERAL, block.timestamp + MAX_DURATION);
        _requestCancel(squat);

        uint256 needed = uint256(MIN_BOUNTY) + uint256(MIN_BOUNTY) * market.MIN_OUTBID_BPS() / 10_000;
        ITaskMarket.Offer memory offer = _offer(needed, needed, 0, 0);
        ITaskMarket.Task memory next = _task(honest, modelId, input, needed, MIN_COLLATERAL, offer.deadline);
        uint256 escrow = needed + market.feeFor(needed);
        token.mint(honest, escrow);
        vm.prank(honest);
        token.approve(address(market), escrow);

        vm.expectEmit(true, true, true, true, address(market));
        emit ITaskMarket.TaskOutbid(id, squatter, honest);
        vm.expectEmit(true, true, true, true, address(market));
        emit ITaskMarket.TaskPosted(id, modelId, honest, next, "better");
        vm.prank(honest);
        market.outbidTask(squat, offer, "better");

        assertEq(market.openTaskHash(id), market.taskHash(next));
        assertEq(market.claimable(squatter), MIN_BOUNTY + squat.fee, "squatter refunded bounty + fee");
        assertEq(market.cancelDueAt(id), 0, "the squatter's cancel request is gone");
        assertEq(token.balanceOf(honest), 0);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        _fulfil(squat, alice);

        ITaskMarket.Task memory locked = _lock(next, alice);
        _fulfil(locked, alice);
        assertEq(market.claimable(alice), needed);
        assertTrue(_verified(next));
    }

    /// @dev An outbid below MIN_OUTBID_BPS more than the open bounty reverts; exactly the minimum is accepted.
    function testFuzz_Liveness_RevertWhen_OutbidTooLow(uint256 openBounty, uint256 newBounty) public {
        openBounty = bound(openBounty, MIN_BOUNTY, 1e26);
        uint256[] memory input = _input();
        (ITaskMarket.Task memory open,) =
            _postWith(requester, modelId, input, openBounty, COLLATERAL, block.timestamp + 1 hours);
        uint256 needed = openBounty + openBounty * market.MIN_OUTBID_BPS() / 10_000;
        newBounty = bound(newBounty, MIN_BOUNTY, needed - 1);
        uint256 escrow = needed + market.feeFor(needed);
        token.mint(bob, escrow);
        vm.startPrank(bob);
        token.approve(address(market), escrow);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutbidTooLow.selector, newBounty, needed));
        market.outbidTask(open, _offer(newBounty, newBounty, 0, 0), "");
        market.outbidTask(open, _offer(needed, needed, 0, 0), "");
        vm.stopPrank();
        assertEq(market.claimable(requester), openBounty + open.fee);
    }

    /// @dev A locked task cannot be outbid (its prover is working on it), nor can anything be outbid while paused.
    function test_Liveness_RevertWhen_OutbidLockedOrPaused() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        (ITaskMarket.Task memory other,) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        ITaskMarket.Offer memory offer = _offer(2 * BOUNTY, 2 * BOUNTY, 0, 0);
        token.mint(bob, 4 * ESCROW);
        vm.startPrank(bob);
        token.approve(address(market), 4 * ESCROW);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketLocked.selector, id, alice));
        market.outbidTask(locked, offer, "");
        vm.stopPrank();
        _pauseMarket();
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(bob);
        market.outbidTask(other, offer, "");
        assertEq(market.openTaskHash(id), market.taskHash(locked));
    }
}
