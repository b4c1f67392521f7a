// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry} from "../../contracts/interfaces/IModelRegistry.sol";
import {IRewards} from "../../contracts/interfaces/IRewards.sol";
import {IStaking} from "../../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../../contracts/interfaces/ITaskMarket.sol";
import {MarketTestBase} from "../utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "../utils/MockGroth16Verifier.sol";
import {MarketHandler} from "./handlers/MarketHandler.sol";

/// @notice Invariants of MlproofMarket under random staking, task, slashing, reward and time actions
///         (see MarketHandler): the market is solvent, a statement is paid at most once, slashes never exceed
///         stake, emissions paid never exceed emissions funded, and locked collateral matches the open locks.
///         After every run `afterInvariant` pays everybody out, which must succeed and leave only the unallocated
///         pool and donations behind.
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

        handler = new MarketHandler(market, token, admin, models, provers, requesters, makeAddr("keeper"), funder);
        token.transferOwnership(address(handler));
        vm.prank(address(handler));
        token.acceptOwnership();

        // Initial state goes through the handler so the ghosts include it.
        for (uint256 i; i < PROVERS; ++i) {
            handler.stake(i, 150e18 + 50e18 * i);
        }
        handler.fundEmissions(400e18);
        handler.setEmissionPerEpoch(7e18 + 3);

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](19);
        selectors[0] = MarketHandler.stake.selector;
        selectors[1] = MarketHandler.requestUnstake.selector;
        selectors[2] = MarketHandler.withdraw.selector;
        selectors[3] = MarketHandler.postTask.selector;
        selectors[4] = MarketHandler.lockTask.selector;
        selectors[5] = MarketHandler.fulfil.selector;
        selectors[6] = MarketHandler.fulfilWrongProver.selector;
        selectors[7] = MarketHandler.slash.selector;
        selectors[8] = MarketHandler.cancelTask.selector;
        selectors[9] = MarketHandler.fundEmissions.selector;
        selectors[10] = MarketHandler.setEmissionPerEpoch.selector;
        selectors[11] = MarketHandler.claim.selector;
        selectors[12] = MarketHandler.settle.selector;
        selectors[13] = MarketHandler.finalizeEpochs.selector;
        selectors[14] = MarketHandler.recycleDust.selector;
        selectors[15] = MarketHandler.warp.selector;
        selectors[16] = MarketHandler.warpEpochs.selector;
        selectors[17] = MarketHandler.warpToDeadline.selector;
        selectors[18] = MarketHandler.donate.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    // ------------------------------------------------------------------ invariants

    /// @dev Solvency. Exactly: balance = stakes + escrowed bounties + credits + unallocated pool + finalized
    ///      emission not yet settled or recycled + donations. And by the market's own views: the balance covers
    ///      every stake, every open bounty, everything `claimable` says, the pool (less what `claimable` already
    ///      counts from the epoch about to be finalized) and the unclaimable dust of finalized epochs.
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
            handler.ghostEscrowed() - handler.ghostRefunded() - handler.ghostBountyPaid(),
            "escrow != posted - refunded - paid"
        );

        uint256 balance = token.balanceOf(address(market));
        uint256 pool = market.unallocatedEmissions();
        uint256 reserved = handler.reservedUnpaid();
        uint256 credits = handler.creditSum();
        assertEq(credits, handler.ghostCreditTotal(), "credit sum");
        assertEq(
            balance,
            stakes + escrow + credits + pool + reserved + handler.ghostDonated(),
            "balance != liabilities + donations"
        );

        (uint256 claimableSum, uint256 finalizedPending, uint256 projectedPending) = _claimables();
        uint256 projected = _projectedAllocation();
        assertLe(finalizedPending, reserved, "finalized shares exceed the emission reserved for them");
        assertLe(projectedPending, projected, "projected shares exceed the projected emission");
        assertLe(projected, pool, "projected emission exceeds the pool");
        assertGe(
            balance,
            stakes + escrow + claimableSum + (pool - projected) + (reserved - finalizedPending),
            "market cannot cover stakes + bounties + claimable + emissions"
        );
    }

    /// @dev Every paid statement was paid exactly once, with the bounty of the task that was fulfilled, and
    ///      is no longer open.
    function invariant_noDoublePayPerStatement() public view {
        bytes32[] memory ids = handler.paidIds();
        uint256 bounties;
        for (uint256 i; i < ids.length; ++i) {
            assertEq(handler.ghostPayouts(ids[i]), 1, "statement paid more than once");
            assertEq(market.openTaskHash(ids[i]), bytes32(0), "paid statement still open");
            bounties += handler.ghostPaidBounty(ids[i]);
        }
        assertEq(handler.ghostBountyPaid(), bounties, "bounties paid != bounties of fulfilled tasks");
    }

    /// @dev Per prover: slashed <= staked, locked <= active, and active + unbonding = staked - withdrawn - slashed.
    function invariant_slashedNeverExceedsStake() public view {
        address[] memory provers = handler.provers();
        for (uint256 i; i < provers.length; ++i) {
            address p = provers[i];
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

    /// @dev Emissions: what is settled to provers plus what is recycled never exceeds what was allocated, which
    ///      never exceeds what was funded; the pool is exactly funded - allocated + recycled; per epoch, settled
    ///      shares never exceed the epoch's emission; and every credit comes from a recorded inflow.
    function invariant_emissionsPaidNeverExceedFunded() public view {
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
            assertEq(info.units, handler.ghostEpochUnits(e), "epoch units");
            assertLe(info.settledUnits, info.units, "settled units > units");
            assertEq(info.emission, handler.ghostEpochEmission(e), "epoch emission");
            if (e >= next) assertEq(info.emission, 0, "emission before finalization");
            assertLe(
                handler.ghostEpochSettled(e) + handler.ghostEpochRecycled(e), info.emission, "epoch paid > emission"
            );
            emissionSum += info.emission;
        }
        assertEq(emissionSum, allocated, "sum of epoch emissions != allocated");

        assertEq(
            handler.ghostCreditTotal() + handler.ghostClaimed(),
            handler.ghostBountyPaid() + handler.ghostRefunded() + handler.ghostSlashShares() + settled,
            "credits + claimed != bounties + refunds + slash shares + emission"
        );
    }

    /// @dev For each prover, locked collateral and lock count equal those of the open tasks it locked; its
    ///      earliest deadline is no later than theirs; a lock past its deadline makes a slash pending.
    function invariant_collateralMatchesOpenLocks() public view {
        address[] memory provers = handler.provers();
        ITaskMarket.Task[] memory open = handler.openTasks();
        for (uint256 i; i < provers.length; ++i) {
            address p = provers[i];
            uint256 locked;
            uint256 count;
            uint256 earliest = type(uint256).max;
            bool overdue;
            for (uint256 k; k < open.length; ++k) {
                if (open[k].prover != p) continue;
                locked += open[k].collateral;
                ++count;
                if (open[k].deadline < earliest) earliest = open[k].deadline;
                if (block.timestamp > open[k].deadline) overdue = true;
            }
            IStaking.Account memory a = market.accountOf(p);
            assertEq(a.locked, locked, "locked != collateral of open locks");
            assertEq(a.lockCount, count, "lockCount != open locks");
            if (count == 0) assertEq(a.earliestDeadline, 0, "earliestDeadline without locks");
            else assertLe(a.earliestDeadline, earliest, "earliestDeadline later than a lock");
            if (overdue) assertTrue(market.slashPending(p), "overdue lock but no slash pending");
        }
        for (uint256 k; k < open.length; ++k) {
            bytes32 id = market.statementId(open[k].modelId, open[k].input);
            assertEq(market.openTaskHash(id), market.taskHash(open[k]), "open task not stored as tracked");
        }
    }

    /// @dev `claimable` is the ledger credit plus the share of the account's last working epoch (finalized, or
    ///      projected if it ended but was not finalized yet).
    function invariant_claimableMatchesLedger() public view {
        address[] memory accounts = handler.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            assertEq(market.claimable(a), handler.ghostCredit(a) + _pending(a), "claimable != credit + share");
        }
    }

    /// @dev Every action the handler expected to fail failed with the right error, and every view it checked
    ///      along the way agreed (claim == claimable, settle keeps claimable, verified outputs, ...).
    function invariant_handlerSawNoViolation() public view {
        assertEq(handler.ghostViolations(), 0, handler.lastViolation());
    }

    /// @dev Pays everyone out at the end of each run: nothing may revert, and afterwards only the unallocated
    ///      pool and donations remain.
    function afterInvariant() public {
        // MARKET_INVARIANT_SUMMARY=true prints what the last run's actions did (with -vv).
        if (vm.envOr("MARKET_INVARIANT_SUMMARY", false)) handler.callSummary();
        handler.drain();
        assertEq(handler.ghostViolations(), 0, handler.lastViolation());
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
        assertEq(
            token.balanceOf(address(market)),
            market.unallocatedEmissions() + handler.ghostDonated(),
            "balance after drain != pool + donations"
        );
    }

    // ------------------------------------------------------------------ helpers

    function _sumStakes() internal view returns (uint256 sum) {
        address[] memory provers = handler.provers();
        for (uint256 i; i < provers.length; ++i) {
            (uint256 unbonding,) = market.unbondingOf(provers[i]);
            sum += market.stakeOf(provers[i]) + unbonding;
        }
    }

    /// @dev Sum of `claimable` over all accounts, split into the pending shares of finalized epochs and of the
    ///      ended but unfinalized epoch.
    function _claimables() internal view returns (uint256 sum, uint256 finalizedPending, uint256 projectedPending) {
        address[] memory accounts = handler.accounts();
        uint256 next = handler.ghostNextEpoch();
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            uint256 c = market.claimable(a);
            uint256 credit = handler.ghostCredit(a);
            assertGe(c, credit, "claimable < credit");
            sum += c;
            if (handler.ghostWorkEpoch(a) < next) finalizedPending += c - credit;
            else projectedPending += c - credit;
        }
    }

    /// @dev What the next finalization will take from the pool for the ended epoch holding work (0 if none).
    function _projectedAllocation() internal view returns (uint256 amount) {
        uint256 next = handler.ghostNextEpoch();
        if (next >= market.currentEpoch() || market.epochInfo(next).units == 0) return 0;
        amount = market.emissionPerEpoch() + market.carriedEmission();
        uint256 pool = market.unallocatedEmissions();
        if (amount > pool) amount = pool;
    }

    /// @dev The emission share `claimable` should add for `a`, from the ghost mirror of its unsettled work.
    function _pending(address a) internal view returns (uint256) {
        uint256 units = handler.ghostWorkUnits(a);
        uint256 e = handler.ghostWorkEpoch(a);
        if (units == 0 || e >= market.currentEpoch()) return 0;
        IRewards.Epoch memory info = market.epochInfo(e);
        uint256 emission = e < handler.ghostNextEpoch() ? info.emission : _projectedAllocation();
        return emission * units / info.units;
    }
}
