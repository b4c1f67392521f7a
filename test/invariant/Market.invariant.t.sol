// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry} from "../../contracts/interfaces/IModelRegistry.sol";
import {IRewards} from "../../contracts/interfaces/IRewards.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../../contracts/interfaces/ITaskMarket.sol";
import {MarketTestBase} from "../utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "../utils/MockGroth16Verifier.sol";
import {MarketHandler} from "./handlers/MarketHandler.sol";

/// @notice Invariants of the market under random staking, task (fixed price and ramps, locks at random times,
///         single and batch fulfilments, two-step cancels, outbids, slashes), reward, governance (pause, slash
///         terms, fee, emission rate) and time actions, with a self-dealing prover among the actors (see
///         MarketHandler): (a) self-dealing never profits, (b) epoch emissions never exceed their fees or the
///         pool, (c) the carry is capped, (d) nothing is slashed while paused or early, (e) prices stay on the ramp
///         and refunds are exact, (f) no fulfil once a cancellation is due and no cancel of a locked task, (g) exact
///         solvency, (h) free stake can always leave; plus a statement is paid once, stake flows and collateral
///         match, and `claimable` matches the ledger. After every run `afterInvariant` pays everybody out, which
///         must succeed.
contract MarketInvariantTest is MarketTestBase {
    MarketHandler internal handler;

    uint256 internal constant PROVERS = 4;
    uint256 internal constant WEIGHTS_COMMITMENT = 0x1234567890abcdef;

    function setUp() public {
        _deployCore();

        // Model A: public weights, 1 input word, 1 output word, WORK_UNITS (10) units.
        (uint256 modelA,) = _registerMock(1, 1);
        // Model B: private weights, 3 input words, 2 output words, 3 units (uneven shares, so rounding dust).
        MockGroth16Verifier vb = new MockGroth16Verifier(3 + 2 + 1);
        vm.prank(admin);
        uint256 modelB = registry.registerModel(
            IModelRegistry.ModelParams({
                verifier: address(vb),
                kind: IModelRegistry.Kind.Inference,
                commitment: keccak256("model-b"),
                privateWeights: true,
                weightsCommitment: WEIGHTS_COMMITMENT,
                inputWords: 3,
                outputWords: 2,
                workUnits: 3,
                previous: 0,
                owner: admin,
                metadataURI: "ipfs://model-b"
            })
        );

        uint256[] memory models = new uint256[](2);
        models[0] = modelA;
        models[1] = modelB;
        address[] memory provers = new address[](PROVERS);
        for (uint256 i; i < PROVERS; ++i) {
            provers[i] = makeAddr(string.concat("prover", vm.toString(i)));
        }
        address[] memory requesters = new address[](2);
        requesters[0] = requester;
        requesters[1] = makeAddr("requester1");

        handler = new MarketHandler(
            market, token, admin, models, provers, requesters, makeAddr("keeper"), funder, makeAddr("self-dealer")
        );
        token.transferOwnership(address(handler));
        vm.prank(address(handler));
        token.acceptOwnership();

        // Initial state goes through the handler so the ghosts include it.
        for (uint256 i; i <= PROVERS; ++i) {
            handler.stake(i, 150e18 + 50e18 * i);
        }
        handler.fundEmissions(400e18);
        handler.setEmissionPerEpoch(7e18 + 3);

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](29);
        selectors[0] = handler.postTask.selector;
        selectors[1] = handler.postTaskWithOffer.selector;
        selectors[2] = handler.lockTask.selector;
        selectors[3] = handler.fulfil.selector;
        selectors[4] = handler.fulfilWrongProver.selector;
        selectors[5] = handler.requestCancel.selector;
        selectors[6] = handler.cancelTask.selector;
        selectors[7] = handler.outbidTask.selector;
        selectors[8] = handler.slash.selector;
        selectors[9] = handler.stake.selector;
        selectors[10] = handler.requestUnstake.selector;
        selectors[11] = handler.withdraw.selector;
        selectors[12] = handler.fundEmissions.selector;
        selectors[13] = handler.claim.selector;
        selectors[14] = handler.settle.selector;
        selectors[15] = handler.finalizeEpochs.selector;
        selectors[16] = handler.recycleDust.selector;
        selectors[17] = handler.pause.selector;
        selectors[18] = handler.unpause.selector;
        selectors[19] = handler.setParams.selector;
        selectors[20] = handler.setEmissionPerEpoch.selector;
        selectors[21] = handler.warp.selector;
        selectors[22] = handler.warpEpochs.selector;
        selectors[23] = handler.warpToDeadline.selector;
        selectors[24] = handler.donate.selector;
        selectors[25] = handler.sybilPost.selector;
        selectors[26] = handler.sybilLock.selector;
        selectors[27] = handler.sybilFulfil.selector;
        selectors[28] = handler.fulfilBatch.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    // ------------------------------------------------------------------ invariants

    /// @dev (g) Solvency, exactly: the market's balance is stakes (active + unbonding) + escrow of open tasks
    ///      (bounty + fee) + credits + unallocated pool + finalized emission not yet settled or recycled + fees of
    ///      the unfinalized epoch + donations (burned slash shares have left). No dust term is needed: every
    ///      rounding (fee scaling, slash shares, emission shares) is booked to a bucket (refund, treasury share,
    ///      epoch dust) whose size the ghosts mirror. And by the market's own views: the balance covers every
    ///      stake, every escrow, everything `claimable` says and the pool not yet promised.
    function invariant_solvency() public view {
        uint256 stakes = _sumStakes();
        assertEq(market.totalStaked(), stakes, "totalStaked != sum of active + unbonding");
        assertEq(
            stakes,
            handler.ghostStakedIn() - handler.ghostStakedOut() - handler.ghostSlashedTotal(),
            "stakes != staked - withdrawn - slashed"
        );
        uint256 escrow = handler.openEscrow();
        assertEq(
            escrow,
            handler.ghostEscrowed() - handler.ghostRefunded() - handler.ghostPricePaid() - handler.ghostFeesTaken(),
            "escrow != posted - refunded - paid - fees"
        );
        uint256 openFees = handler.ghostOpenFees();
        assertEq(market.epochInfo(handler.ghostNextEpoch()).fees, openFees, "fees of the unfinalized epoch");

        uint256 balance = token.balanceOf(address(market));
        uint256 pool = market.unallocatedEmissions();
        uint256 reserved = handler.reservedUnpaid();
        uint256 credits = handler.creditSum();
        assertEq(credits, handler.ghostCreditTotal(), "credit sum");
        assertEq(
            balance,
            stakes + escrow + credits + pool + reserved + openFees + handler.ghostDonated(),
            "balance != stakes + escrow + credits + pool + reserved emission + open fees + donations"
        );

        (uint256 claimableSum, uint256 finalizedPending, uint256 projectedPending) = _claimables();
        uint256 projected = _projectedAllocation();
        assertLe(finalizedPending, reserved, "finalized shares exceed the emission reserved for them");
        assertLe(projectedPending, projected, "projected shares exceed the projected emission");
        assertLe(projected, pool, "projected emission exceeds the pool");
        assertGe(balance, stakes + escrow + claimableSum + (pool - projected), "market cannot cover what it owes");
    }

    /// @dev Every paid statement was paid exactly once and is no longer open.
    function invariant_noDoublePayPerStatement() public view {
        bytes32[] memory ids = handler.paidIds();
        for (uint256 i; i < ids.length; ++i) {
            assertEq(handler.ghostPayouts(ids[i]), 1, "statement paid more than once");
            assertEq(market.openTaskHash(ids[i]), bytes32(0), "paid statement still open");
        }
    }

    /// @dev Per prover: slashed <= staked, locked <= active, and active + unbonding = staked - withdrawn - slashed.
    function invariant_slashedNeverExceedsStake() public view {
        address[] memory s = handler.stakers();
        for (uint256 i; i < s.length; ++i) {
            address p = s[i];
            assertLe(handler.ghostSlashedOf(p), handler.ghostStakedBy(p), "slashed > staked");
            IStaking.Account memory a = market.accountOf(p);
            assertLe(a.locked, a.active, "locked > active");
            assertEq(market.freeStakeOf(p), a.active - a.locked, "free stake");
            (uint256 unbonding,) = market.unbondingOf(p);
            assertEq(
                uint256(a.active) + unbonding,
                handler.ghostStakedBy(p) - handler.ghostWithdrawnBy(p) - handler.ghostSlashedOf(p),
                "prover stake flows"
            );
        }
    }

    /// @dev (b) Emissions: every finalized epoch got exactly min(rate + carry, pool, fees) (checked at each
    ///      finalization, so at most its fees and what the pool had); per epoch, shares settled plus dust recycled
    ///      never exceed its emission and settled fees never exceed its fees; the sum of emissions paid never
    ///      exceeds what was funded, and the pool is exactly funded - allocated + recycled. Every credit comes from
    ///      a recorded inflow.
    function invariant_emissionsBoundedByFeesAndFunding() public view {
        assertEq(handler.ghostEmissionViolations(), 0, handler.lastPropertyViolation());
        uint256 funded = handler.ghostFunded();
        uint256 allocated = handler.ghostAllocated();
        uint256 settled = handler.ghostSettled();
        uint256 recycled = handler.ghostRecycled();
        assertLe(settled + recycled, allocated, "settled + recycled > allocated");
        assertLe(allocated - recycled, funded, "emission allocated > funded");
        assertLe(settled, funded, "emission paid > funded");
        assertEq(market.unallocatedEmissions(), funded + recycled - allocated, "pool != funded - allocated + recycled");

        uint256[] memory epochs = handler.workEpochs();
        uint256 next = handler.ghostNextEpoch();
        uint256 emissionSum;
        for (uint256 i; i < epochs.length; ++i) {
            uint256 e = epochs[i];
            IRewards.Epoch memory info = market.epochInfo(e);
            assertEq(info.fees, handler.ghostEpochFees(e), "epoch fees");
            assertLe(info.settledFees, info.fees, "settled fees > fees");
            assertEq(info.emission, handler.ghostEpochEmission(e), "epoch emission");
            assertLe(info.emission, info.fees, "epoch emission > epoch fees");
            if (e >= next) assertEq(info.emission, 0, "emission before finalization");
            assertLe(
                handler.ghostEpochSettled(e) + handler.ghostEpochRecycled(e), info.emission, "epoch paid > emission"
            );
            emissionSum += info.emission;
        }
        assertEq(emissionSum, allocated, "sum of epoch emissions != allocated");
        assertEq(
            handler.ghostCreditTotal() + handler.ghostClaimed(),
            handler.ghostPricePaid() + handler.ghostRefunded() + handler.ghostSlashShares() + settled
                + handler.ghostFeesToTreasury(),
            "credits + claimed != prices + refunds + slash shares + emission + treasury fees"
        );
    }

    /// @dev (c) The carry never exceeds MAX_CARRY_EPOCHS rates: of the epoch it will be added to (the lowest
    ///      unfinalized one), and, once every ended epoch is finalized, of the rate in force now. (Between a rate
    ///      cut and the next finalization the stored carry may still be capped by the old rate: it only ever feeds
    ///      the epoch that ran at that rate.) The rate views follow the model's schedule.
    function invariant_carryBounded() public view {
        uint256 carry = market.carriedEmission();
        uint256 cap = market.MAX_CARRY_EPOCHS();
        uint256 next = handler.ghostNextEpoch();
        uint256 epoch = market.currentEpoch();
        assertEq(market.emissionPerEpoch(), handler.rateOf(epoch), "rate in force != schedule");
        assertLe(carry, cap * handler.rateOf(next), "carry > MAX_CARRY_EPOCHS * rate of the epoch it feeds");
        if (next == epoch) assertLe(carry, cap * market.emissionPerEpoch(), "carry > MAX_CARRY_EPOCHS * rate now");
    }

    /// @dev (a) Self-dealing never profits: whatever the self-dealing group (a prover and its requester
    ///      addresses) holds, can claim and has staked never exceeds the tokens it was given, and the emission its
    ///      prover was settled never exceeds the fees its requesters paid on the tasks it took.
    function invariant_selfDealingUnprofitable() public view {
        address[] memory g = handler.sybilGroup();
        uint256 value;
        for (uint256 i; i < g.length; ++i) {
            value += token.balanceOf(g[i]) + market.claimable(g[i]);
        }
        address s = handler.sybilProver();
        (uint256 unbonding,) = market.unbondingOf(s);
        value += market.stakeOf(s) + unbonding;
        assertLe(value, handler.ghostSybilMinted(), "self-dealing profit > 0");
        assertLe(handler.ghostSybilEmission(), handler.ghostSybilFeesPaid(), "self-dealer's emission > its fees");
    }

    /// @dev (d) No slash ever succeeded while the market was paused, or before the task's effective deadline
    ///      (deadline + time paused since posting, on the model's own pause clock). The market's pause clock and
    ///      effective deadlines agree with the model's.
    function invariant_noSlashWhilePausedOrEarly() public view {
        assertEq(handler.ghostBadSlashes(), 0, handler.lastPropertyViolation());
        assertEq(market.paused(), handler.ghostPaused(), "paused");
        assertEq(market.pauseClock(), handler.pauseClock(), "pause clock");
        ITaskMarket.Task[] memory open = handler.openTasks();
        for (uint256 k; k < open.length; ++k) {
            assertEq(market.effectiveDeadline(open[k]), handler.effectiveDeadline(open[k]), "effective deadline");
        }
    }

    /// @dev (e) Every lock (and unlocked fulfil) was priced on the ramp, within [minPrice, bounty], with the fee
    ///      scaled and the requester refunded exactly the difference; every locked task's terms are a fixed price.
    function invariant_pricesOnTheRamp() public view {
        assertEq(handler.ghostBadPrices(), 0, handler.lastPropertyViolation());
        ITaskMarket.Task[] memory open = handler.openTasks();
        for (uint256 k; k < open.length; ++k) {
            ITaskMarket.Task memory t = open[k];
            uint256 price = market.priceAt(t, block.timestamp);
            assertLe(price, t.bounty, "price > bounty");
            assertGe(price, t.minPrice, "price < minPrice");
            if (t.prover != address(0)) assertEq(t.minPrice, t.bounty, "locked task not at a fixed price");
        }
    }

    /// @dev (f) No fulfil succeeded once the task's cancellation was due, and no locked task was ever cancelled;
    ///      every pending cancellation is where the model put it.
    function invariant_cancellationRules() public view {
        assertEq(handler.ghostBadCancels(), 0, handler.lastPropertyViolation());
        ITaskMarket.Task[] memory open = handler.openTasks();
        for (uint256 k; k < open.length; ++k) {
            bytes32 id = market.statementId(open[k].modelId, open[k].input);
            uint256 due = handler.ghostCancelDue(id);
            assertEq(market.cancelDueAt(id), due == 0 ? 0 : due + handler.pauseClock(), "cancelDueAt");
            if (open[k].prover != address(0)) assertEq(due, 0, "locked task with a cancellation pending");
        }
    }

    /// @dev (h) Every prover can always move all its free stake to unbonding (paused or not, with locks, with
    ///      overdue locks), and withdraw what has unbonded: tried here on a throw-away state, and in the handler.
    function invariant_freeStakeCanAlwaysExit() public {
        assertEq(handler.ghostUnstakeRefused(), 0, handler.lastPropertyViolation());
        address[] memory s = handler.stakers();
        uint256 snapshot = vm.snapshotState();
        for (uint256 i; i < s.length; ++i) {
            uint256 free = market.freeStakeOf(s[i]);
            if (free != 0) {
                vm.prank(s[i]);
                try market.requestUnstake(free) {}
                catch (bytes memory err) {
                    revert(string.concat("free stake refused for unbonding: ", vm.toString(err)));
                }
            }
        }
        vm.warp(block.timestamp + market.unbondingDelay());
        for (uint256 i; i < s.length; ++i) {
            (uint256 amount,) = market.unbondingOf(s[i]);
            if (amount == 0) continue;
            vm.prank(s[i]);
            try market.withdraw() returns (uint256 out) {
                assertEq(out, amount, "withdrawn != unbonding");
            } catch (bytes memory err) {
                revert(string.concat("unbonded stake refused: ", vm.toString(err)));
            }
        }
        vm.revertToState(snapshot);
    }

    /// @dev For each prover, locked collateral and lock count equal those of the open tasks it locked; every open
    ///      task is stored as tracked.
    function invariant_collateralMatchesOpenLocks() public view {
        address[] memory s = handler.stakers();
        ITaskMarket.Task[] memory open = handler.openTasks();
        for (uint256 i; i < s.length; ++i) {
            uint256 locked;
            uint256 count;
            for (uint256 k; k < open.length; ++k) {
                if (open[k].prover != s[i]) continue;
                locked += open[k].collateral;
                ++count;
            }
            IStaking.Account memory a = market.accountOf(s[i]);
            assertEq(a.locked, locked, "locked != collateral of open locks");
            assertEq(a.lockCount, count, "lockCount != open locks");
        }
        for (uint256 k; k < open.length; ++k) {
            bytes32 id = market.statementId(open[k].modelId, open[k].input);
            assertEq(market.openTaskHash(id), market.taskHash(open[k]), "open task not stored as tracked");
        }
    }

    /// @dev `claimable` is the ledger credit plus the share of the account's last working epoch (finalized, or
    ///      projected if it ended unfinalized), plus, for the treasury, the fees of an ended unfinalized epoch.
    function invariant_claimableMatchesLedger() public view {
        address[] memory accounts = handler.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            assertEq(market.claimable(a), handler.ghostCredit(a) + _pending(a), "claimable != credit + share");
        }
    }

    /// @dev Every action the handler expected to fail failed with the right error, and every view it checked
    ///      along the way agreed.
    function invariant_handlerSawNoViolation() public view {
        assertEq(handler.ghostViolations(), 0, handler.lastViolation());
    }

    /// @dev Pays everyone out at the end of each run: nothing may revert, and afterwards only the unallocated
    ///      pool and donations remain; the self-dealing group, fully paid out, made no profit.
    function afterInvariant() public {
        // MARKET_INVARIANT_SUMMARY=true prints what the last run's actions did (with -vv).
        bool summary = vm.envOr("MARKET_INVARIANT_SUMMARY", false);
        if (summary) handler.callSummary();
        handler.drain();
        if (summary) handler.callSummary();
        assertEq(handler.ghostViolations(), 0, handler.lastViolation());
        assertEq(handler.ghostBadSlashes() + handler.ghostBadCancels(), 0, handler.lastPropertyViolation());
        assertEq(market.totalStaked(), 0, "stake left after drain");
        address[] memory accounts = handler.accounts();
        uint256 claimed;
        for (uint256 i; i < accounts.length; ++i) {
            assertEq(market.claimable(accounts[i]), 0, "claimable left after drain");
            assertEq(handler.ghostCredit(accounts[i]), 0, "credit left after drain");
            claimed += handler.ghostClaimedBy(accounts[i]);
        }
        assertEq(claimed, handler.ghostClaimed(), "claimed by accounts");
        assertEq(handler.reservedUnpaid(), 0, "finalized emission left after drain");
        assertEq(handler.ghostOpenFees(), 0, "fees left after drain");
        assertEq(
            token.balanceOf(address(market)),
            market.unallocatedEmissions() + handler.ghostDonated(),
            "balance after drain != pool + donations"
        );
        address[] memory g = handler.sybilGroup();
        uint256 held;
        for (uint256 i; i < g.length; ++i) {
            held += token.balanceOf(g[i]);
        }
        assertLe(held, handler.ghostSybilMinted(), "self-dealing profit > 0 after payout");
    }

    // ------------------------------------------------------------------ helpers

    function _sumStakes() internal view returns (uint256 sum) {
        address[] memory s = handler.stakers();
        for (uint256 i; i < s.length; ++i) {
            (uint256 unbonding,) = market.unbondingOf(s[i]);
            sum += market.stakeOf(s[i]) + unbonding;
        }
    }

    /// @dev Sum of `claimable` over all accounts, split into the pending shares of finalized epochs and of the
    ///      ended but unfinalized epoch (the treasury's unfinalized fees are in neither).
    function _claimables() internal view returns (uint256 sum, uint256 finalizedPending, uint256 projectedPending) {
        address[] memory accounts = handler.accounts();
        uint256 next = handler.ghostNextEpoch();
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            uint256 c = market.claimable(a);
            uint256 base = handler.ghostCredit(a) + _treasuryFees(a);
            assertGe(c, base, "claimable < credit");
            sum += c;
            if (handler.ghostWorkEpoch(a) < next) finalizedPending += c - base;
            else projectedPending += c - base;
        }
    }

    /// @dev The fees of an ended unfinalized epoch, which `claimable` already counts for the treasury.
    function _treasuryFees(address a) internal view returns (uint256) {
        if (a != admin || handler.ghostNextEpoch() >= market.currentEpoch()) return 0;
        return handler.ghostOpenFees();
    }

    /// @dev What the next finalization will take from the pool for the ended epoch holding fees (0 if none).
    function _projectedAllocation() internal view returns (uint256 amount) {
        uint256 next = handler.ghostNextEpoch();
        uint256 fees = handler.ghostOpenFees();
        if (next >= market.currentEpoch() || fees == 0) return 0;
        amount = handler.rateOf(next) + market.carriedEmission();
        uint256 pool = market.unallocatedEmissions();
        if (amount > pool) amount = pool;
        if (amount > fees) amount = fees;
    }

    /// @dev What `claimable` should add to `a`'s credit, from the ghost mirror of its unsettled work.
    function _pending(address a) internal view returns (uint256) {
        uint256 share;
        uint256 fees = handler.ghostWorkFees(a);
        uint256 e = handler.ghostWorkEpoch(a);
        if (fees != 0 && e < market.currentEpoch()) {
            bool finalized = e < handler.ghostNextEpoch();
            uint256 emission = finalized ? market.epochInfo(e).emission : _projectedAllocation();
            uint256 epochFees = finalized ? handler.ghostEpochFees(e) : handler.ghostOpenFees();
            share = emission * fees / epochFees;
        }
        return share + _treasuryFees(a);
    }
}
