// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IGroth16Verifier} from "../contracts/interfaces/IGroth16Verifier.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IRewards} from "../contracts/interfaces/IRewards.sol";
import {IStaking} from "../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../contracts/interfaces/IVerifiedOutputs.sol";
import {Statement} from "../contracts/libraries/Statement.sol";
import {SliceMlpFixture} from "./utils/SliceMlpFixture.sol";

/// @notice `fulfilBatch` at market level, with the 64 real slice-model proofs of test/fixtures/slice_mlp_batch.json
///         (all bound to `fxProver`) checked by the generated verifier: a batch settles every task exactly as one
///         `fulfil` per task would, skips the tasks no longer open to the caller (`TaskSkipped`), and reverts whole
///         on anything the caller controls. The verifier's own batch tests are in SliceMlpBatchVerifier.t.sol.
contract BatchFulfilTest is SliceMlpFixture {
    string internal constant BATCH_FIXTURE = "test/fixtures/slice_mlp_batch.json";
    uint256 internal constant FEE = BOUNTY * FEE_BPS / 10_000;
    uint256 internal constant MAX_BATCH = 64;

    uint8 internal constant SKIP_NOT_OPEN = 1;
    uint8 internal constant SKIP_LOCKED = 2;
    uint8 internal constant SKIP_EXPIRED = 3;
    uint8 internal constant SKIP_CANCELLED = 4;

    uint256 internal fxCount;
    uint256[] internal fxProofs;
    uint256[] internal fxInputs;
    uint256[] internal fxOutputs;
    uint256[8] internal fxForeignProof;

    address internal rival = makeAddr("rival");
    address internal requester2 = makeAddr("requester2");

    /// @dev A task of a batch: fixture item `k`, as the market stores it now.
    struct Item {
        ITaskMarket.Task task;
        bytes32 id;
        uint256 k;
    }

    /// @dev What the comparison of a batch with single fulfilments reads, through the market's views.
    struct MarketView {
        uint256 proverClaimable;
        uint256 requesterClaimable;
        uint256 requester2Claimable;
        uint256 treasuryClaimable;
        IStaking.Account account;
        IRewards.Epoch previousEpoch;
        IRewards.Epoch epoch;
        uint256 pool;
        uint256 carry;
        uint256 balance;
        bytes32 records;
    }

    function setUp() public {
        _setUpSlice();
        string memory json = vm.readFile(BATCH_FIXTURE);
        fxCount = vm.parseJsonUint(json, ".n");
        fxProofs = vm.parseJsonUintArray(json, ".proofs");
        fxInputs = vm.parseJsonUintArray(json, ".inputs");
        fxOutputs = vm.parseJsonUintArray(json, ".outputs");
        uint256[] memory f = vm.parseJsonUintArray(json, ".foreignProof");
        for (uint256 w; w < 8; ++w) {
            fxForeignProof[w] = f[w];
        }
        assertEq(fxCount, MAX_BATCH, "fixture size");
        assertEq(fxProofs.length, 8 * fxCount, "fixture proofs");
        assertEq(fxInputs.length, 3 * fxCount, "fixture inputs");
        assertEq(fxOutputs.length, fxCount, "fixture outputs");
        // Room for fxProver to lock every fixture task; a second eligible prover.
        _stakeFor(fxProver, MAX_BATCH * COLLATERAL);
        _stakeFor(rival, MIN_STAKE + COLLATERAL);
    }

    // ================================================================== a batch pays as single fulfilments

    /// @dev Eight tasks (fixed prices and ramps, two requesters), three locked by fxProver at a point of the ramp,
    ///      one cancellation requested but not yet due, and fxProver's unsettled work of the previous epoch: one
    ///      `fulfilBatch` leaves the market exactly as eight `fulfil`s do (records, outputs, credits and refunds,
    ///      collateral and lock count, epoch fees and emission, the settlement of the older work).
    function test_BatchPaysEachTaskAsSingleFulfil() public {
        vm.prank(admin);
        market.setEmissionPerEpoch(3e18);
        _fundEmissions(100e18);
        vm.warp(block.timestamp + EPOCH);
        // fxProver's work of epoch 1, settled by the next fulfilment's recording.
        Item memory earlier = _postFixed(63, requester, block.timestamp + 1 hours);
        _fulfilSingle(earlier);
        vm.warp(block.timestamp + EPOCH);

        uint256[] memory ks = _sortedKs(0, 8);
        Item[] memory its = new Item[](8);
        for (uint256 i; i < 8; ++i) {
            its[i] = i % 2 == 0 ? _postFixed(ks[i], requester, block.timestamp + 1 hours) : _postRamp(ks[i]);
        }
        skip(10 minutes);
        its[1].task = _lock(its[1].task, fxProver);
        its[2].task = _lock(its[2].task, fxProver);
        its[5].task = _lock(its[5].task, fxProver);
        vm.prank(requester);
        market.requestCancel(its[4].task);
        skip(5 minutes);

        uint256 snapshot = vm.snapshotState();
        for (uint256 i; i < its.length; ++i) {
            _fulfilSingle(its[i]);
        }
        MarketView memory single = _view(its);
        vm.revertToState(snapshot);

        assertEq(_batch(fxProver, its), 8, "paid");
        MarketView memory batch = _view(its);
        _assertSameView(batch, single);

        // And what both did, in absolute terms.
        assertEq(batch.account.locked, 0, "collateral released");
        assertEq(batch.account.lockCount, 0, "locks released");
        assertGt(batch.previousEpoch.emission, 0, "previous epoch finalized with emission");
        assertEq(batch.previousEpoch.settledFees, batch.previousEpoch.fees, "older work settled");
        for (uint256 i; i < its.length; ++i) {
            (bool verified, uint256[] memory out) = market.verifiedOutput(sliceModelId, _commitment(its[i].k));
            assertTrue(verified, "verified");
            assertEq(out, _outputOf(its[i].k), "output");
            assertEq(market.openTaskHash(its[i].id), bytes32(0), "closed");
            assertEq(market.cancelDueAt(its[i].id), 0, "cancellation dropped");
        }
    }

    /// @dev A batch emits one OutputVerified per paid task, in batch order, as `fulfil` does.
    function test_BatchEmitsOutputVerifiedPerTask() public {
        Item[] memory its = _postSorted(0, 4);
        for (uint256 i; i < its.length; ++i) {
            vm.expectEmit(true, true, true, true, address(market));
            emit IVerifiedOutputs.OutputVerified(sliceModelId, _commitment(its[i].k), fxProver, _outputOf(its[i].k));
        }
        assertEq(_batch(fxProver, its), 4);
    }

    // ================================================================== the skip rule

    /// @dev Of six tasks, one fulfilled singly before, one locked by a rival, one expired and one whose
    ///      cancellation is due are skipped with their reason; the other two (one unlocked, one locked by the
    ///      caller) are paid, and the return value counts them.
    function test_SkipsTasksNoLongerOpenToTheCaller() public {
        uint256[] memory ks = _sortedKs(0, 6);
        // Roles by position in the sorted batch.
        uint8[6] memory skip_ = [0, SKIP_NOT_OPEN, SKIP_LOCKED, 0, SKIP_EXPIRED, SKIP_CANCELLED];
        Item[] memory its = new Item[](6);
        for (uint256 i; i < 6; ++i) {
            uint256 deadline = block.timestamp + (skip_[i] == SKIP_EXPIRED ? MIN_DURATION + 1 : 1 hours);
            its[i] = _postFixed(ks[i], requester, deadline);
        }
        _fulfilSingle(its[1]);
        its[2].task = _lock(its[2].task, rival);
        its[3].task = _lock(its[3].task, fxProver);
        vm.prank(requester);
        market.requestCancel(its[5].task);
        skip(market.CANCEL_NOTICE());
        assertGt(block.timestamp, market.effectiveDeadline(its[4].task), "expired");

        uint256 proverBefore = market.claimable(fxProver);
        uint256 requesterBefore = market.claimable(requester);
        for (uint256 i; i < 6; ++i) {
            if (skip_[i] != 0) {
                vm.expectEmit(true, false, false, true, address(market));
                emit ITaskMarket.TaskSkipped(its[i].id, skip_[i]);
            } else {
                vm.expectEmit(true, true, true, true, address(market));
                emit IVerifiedOutputs.OutputVerified(sliceModelId, _commitment(its[i].k), fxProver, _outputOf(its[i].k));
            }
        }
        assertEq(_batch(fxProver, its), 2, "paid count");

        assertEq(market.claimable(fxProver), proverBefore + 2 * BOUNTY, "two bounties");
        assertEq(market.claimable(requester), requesterBefore, "no refund at the full price");
        assertEq(market.accountOf(fxProver).lockCount, 0, "own lock released");
        assertEq(market.accountOf(rival).lockCount, 1, "rival's lock untouched");
        assertEq(market.openTaskHash(its[2].id), market.taskHash(its[2].task), "rival's task still locked");
        assertEq(market.openTaskHash(its[4].id), market.taskHash(its[4].task), "expired task still open");
        assertEq(market.openTaskHash(its[5].id), market.taskHash(its[5].task), "cancelling task still open");
        assertGt(market.cancelDueAt(its[5].id), 0, "cancellation still pending");
        assertEq(market.openTaskHash(its[0].id), bytes32(0), "paid");
        assertEq(market.openTaskHash(its[3].id), bytes32(0), "paid");
    }

    /// @dev A batch whose every task is skipped returns 0 and changes nothing (no output, no credit, no work).
    function test_AllSkippedBatchReturnsZeroAndChangesNothing() public {
        uint256[] memory ks = _sortedKs(0, 4);
        Item[] memory its = new Item[](4);
        for (uint256 i; i < 4; ++i) {
            its[i] = _postFixed(ks[i], requester, block.timestamp + (i == 2 ? MIN_DURATION + 1 : 1 hours));
        }
        _fulfilSingle(its[0]);
        its[1].task = _lock(its[1].task, rival);
        vm.prank(requester);
        market.requestCancel(its[3].task);
        skip(market.CANCEL_NOTICE());

        MarketView memory before = _view(its);
        uint8[4] memory reasons = [SKIP_NOT_OPEN, SKIP_LOCKED, SKIP_EXPIRED, SKIP_CANCELLED];
        vm.recordLogs();
        assertEq(_batch(fxProver, its), 0, "nothing paid");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 4, "only the four TaskSkipped events");
        for (uint256 i; i < 4; ++i) {
            assertEq(logs[i].topics[0], ITaskMarket.TaskSkipped.selector);
            assertEq(logs[i].topics[1], its[i].id);
            assertEq(abi.decode(logs[i].data, (uint8)), reasons[i], "reason");
        }
        _assertSameView(_view(its), before);
    }

    /// @dev A skipped task's proof is left out of the check: garbage there does not fail the batch.
    function test_SkippedTaskProofIsNotChecked() public {
        Item[] memory its = _postSorted(0, 3);
        its[1].task = _lock(its[1].task, rival);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        p[1] = _proof();
        vm.prank(fxProver);
        assertEq(market.fulfilBatch(t, o, p), 2);
    }

    /// @dev A task of another model that is skipped does not make the batch mixed.
    function test_SkippedTaskOfAnotherModelIsNotMixed() public {
        (uint256 mockModel,) = _registerMock(3, 1);
        Item[] memory its = _postSorted(0, 2);
        Item memory foreign = _postOtherModel(mockModel, 0);
        foreign.task = _lock(foreign.task, rival);
        Item[] memory all = _sortItems(_append(its, foreign));
        vm.expectEmit(true, false, false, true, address(market));
        emit ITaskMarket.TaskSkipped(foreign.id, SKIP_LOCKED);
        assertEq(_batch(fxProver, all), 2);
    }

    // ================================================================== reverts: the proofs

    function test_RevertWhen_AnyProofWordMutated() public {
        Item[] memory its = _postSorted(0, 4);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        for (uint256 i; i < its.length; ++i) {
            for (uint256 w; w < 8; ++w) {
                uint256 word = p[i][w];
                p[i][w] = addmod(word, 1, Q);
                _expectBatchRevert(
                    fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidBatchProof.selector)
                );
                p[i][w] = word;
            }
        }
        vm.prank(fxProver);
        assertEq(market.fulfilBatch(t, o, p), 4, "unmutated batch still pays");
    }

    /// @dev The verifier's revert is bubbled up unchanged; its index counts the paid proofs only (a skipped task
    ///      before the tampered one shifts it down).
    function test_RevertWhen_CoordinateNotInField() public {
        Item[] memory its = _postSorted(0, 5);
        its[0].task = _lock(its[0].task, rival);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        p[4][5] += Q;
        _expectBatchRevert(
            fxProver,
            t,
            o,
            p,
            abi.encodeWithSelector(IGroth16Verifier.Groth16VerifierProofCoordinateNotInField.selector, 3 * 8 + 5)
        );
    }

    function test_RevertWhen_PointNotOnCurve() public {
        Item[] memory its = _postSorted(0, 3);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        (p[1][0], p[1][1]) = (1, 3);
        _expectBatchRevert(fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidBatchProof.selector));
    }

    function test_RevertWhen_ProofOfAnotherKey() public {
        Item[] memory its = _postSorted(0, 3);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        for (uint256 i; i < its.length; ++i) {
            if (its[i].k == 0) p[i] = fxForeignProof;
        }
        _expectBatchRevert(fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidBatchProof.selector));
    }

    /// @dev Payee binding: a rival copying fxProver's batch of unlocked tasks (each proof bound to fxProver) is
    ///      refused, and the batch still pays fxProver afterwards.
    function test_RevertWhen_CopiedBatchSentByAnotherProver() public {
        Item[] memory its = _postSorted(0, 4);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        assertTrue(market.isEligible(rival));
        _expectBatchRevert(rival, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidBatchProof.selector));
        // Pre-filling the payee slot with fxProver does not help the copier either.
        o[2][0] = Statement.bindPayee(o[2][0], fxProver);
        _expectBatchRevert(
            rival, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, its[2].id)
        );
        assertEq(_batch(fxProver, its), 4);
        assertEq(market.claimable(rival), 0, "the copier got nothing");
    }

    // ================================================================== reverts: the batch's shape

    function test_RevertWhen_SameTaskTwice() public {
        Item[] memory its = _postSorted(0, 2);
        Item[] memory twice = new Item[](3);
        (twice[0], twice[1], twice[2]) = (its[0], its[0], its[1]);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(twice);
        _expectBatchRevert(fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketBatchOrder.selector, 1));
    }

    /// @dev Any adjacent pair swapped reverts at the index of the first task out of order.
    function test_RevertWhen_Unsorted() public {
        Item[] memory its = _postSorted(0, 5);
        for (uint256 i = 1; i < its.length; ++i) {
            (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
            (t[i - 1], t[i]) = (t[i], t[i - 1]);
            (o[i - 1], o[i]) = (o[i], o[i - 1]);
            (p[i - 1], p[i]) = (p[i], p[i - 1]);
            _expectBatchRevert(fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketBatchOrder.selector, i));
        }
    }

    /// @dev The order is checked on skipped tasks too.
    function test_RevertWhen_UnsortedSkippedTask() public {
        Item[] memory its = _postSorted(0, 3);
        its[2].task = _lock(its[2].task, rival);
        (its[1], its[2]) = (its[2], its[1]);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        _expectBatchRevert(fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketBatchOrder.selector, 2));
    }

    function test_RevertWhen_OutputPayeeBitsPrefilled() public {
        Item[] memory its = _postSorted(0, 3);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        o[1][0] = Statement.bindPayee(o[1][0], fxProver);
        _expectBatchRevert(
            fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, its[1].id)
        );
        o[1][0] = _outputOf(its[1].k)[0] | (uint256(1) << 255);
        _expectBatchRevert(
            fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, its[1].id)
        );
    }

    function test_RevertWhen_WrongOutputLength() public {
        Item[] memory its = _postSorted(0, 3);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        o[2] = _words(o[2][0], 0, 0);
        _expectBatchRevert(
            fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketWrongOutputLength.selector, 3, 1)
        );
        o[2] = new uint256[](0);
        _expectBatchRevert(
            fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketWrongOutputLength.selector, 0, 1)
        );
    }

    /// @dev A paid task of another model (its own verifier) in the batch reverts at its index.
    function test_RevertWhen_MixedModels() public {
        (uint256 mockModel,) = _registerMock(3, 1);
        Item[] memory all = _sortItems(_append(_postSorted(0, 2), _postOtherModel(mockModel, 0)));
        // The first task whose model differs from the first task's.
        uint256 mixed = 1;
        while (all[mixed].task.modelId == all[0].task.modelId) {
            ++mixed;
        }
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(all);
        _expectBatchRevert(fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketBatchMixed.selector, mixed));
    }

    function test_RevertWhen_BatchSize() public {
        ITaskMarket.Task[] memory none = new ITaskMarket.Task[](0);
        _expectBatchRevert(
            fxProver,
            none,
            new uint256[][](0),
            new uint256[8][](0),
            abi.encodeWithSelector(ITaskMarket.TaskMarketBatchSize.selector, 0, 0, 0)
        );
        uint256 n = MAX_BATCH + 1;
        _expectBatchRevert(
            fxProver,
            new ITaskMarket.Task[](n),
            new uint256[][](n),
            new uint256[8][](n),
            abi.encodeWithSelector(ITaskMarket.TaskMarketBatchSize.selector, n, n, n)
        );
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(_postSorted(0, 2));
        _expectBatchRevert(
            fxProver,
            t,
            new uint256[][](1),
            p,
            abi.encodeWithSelector(ITaskMarket.TaskMarketBatchSize.selector, 2, 1, 2)
        );
        _expectBatchRevert(
            fxProver,
            t,
            o,
            new uint256[8][](3),
            abi.encodeWithSelector(ITaskMarket.TaskMarketBatchSize.selector, 2, 2, 3)
        );
        assertEq(market.MAX_BATCH(), MAX_BATCH);
    }

    /// @dev A full batch of MAX_BATCH tasks is accepted.
    function test_FullBatch() public {
        Item[] memory its = _postSorted(0, MAX_BATCH);
        assertEq(_batch(fxProver, its), MAX_BATCH);
        assertEq(market.claimable(fxProver), MAX_BATCH * BOUNTY);
    }

    /// @dev The prover's work counter is a uint96: a batch whose summed fees exceed it reverts (single fulfils of
    ///      the same tasks overflow it too) rather than recording truncated work, which would leave the epoch's
    ///      fees never fully settled. Six maximal bounties at the maximal fee (mock-verified model).
    function test_RevertWhen_SummedFeesOverflowWorkCounter() public {
        (uint256 mockModel,) = _registerMock(3, 1);
        IMarketGovernance.Params memory params = market.params();
        params.protocolFeeBps = 2_000;
        vm.prank(admin);
        market.setParams(params);
        Item[] memory its = new Item[](6);
        uint256 fees;
        for (uint256 i; i < its.length; ++i) {
            (its[i].task, its[i].id) =
                _postWith(requester, mockModel, _inputOf(i), type(uint96).max, COLLATERAL, block.timestamp + 1 hours);
            its[i].k = i;
            fees += its[i].task.fee;
        }
        assertGt(fees, type(uint96).max, "summed fees exceed the work counter");
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(_sortItems(its));
        _expectBatchRevert(
            fxProver, t, o, p, abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 96, fees)
        );
        // Five of them fit.
        Item[] memory five = new Item[](5);
        for (uint256 i; i < 5; ++i) {
            five[i] = its[i];
        }
        assertEq(_batch(fxProver, _sortItems(five)), 5);
    }

    function test_RevertWhen_Paused() public {
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(_postSorted(0, 2));
        _pauseMarket();
        _expectBatchRevert(fxProver, t, o, p, abi.encodeWithSelector(IMarketGovernance.EnforcedPause.selector));
    }

    /// @dev An unstaked caller on an unlocked task; also a prover who fell below the minimum stake, while its own
    ///      locked tasks alone still go through (as with `fulfil`, a lock needs no eligibility to deliver).
    function test_RevertWhen_NotEligible() public {
        address nobody = makeAddr("nobody");
        Item[] memory its = _postSorted(0, 3);
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        _expectBatchRevert(nobody, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketNotEligible.selector, nobody));

        its[0].task = _lock(its[0].task, fxProver);
        IMarketGovernance.Params memory params = market.params();
        params.minStake = uint96(market.stakeOf(fxProver) + 1);
        vm.prank(admin);
        market.setParams(params);
        assertFalse(market.isEligible(fxProver));
        (t, o, p) = _args(its);
        _expectBatchRevert(
            fxProver, t, o, p, abi.encodeWithSelector(ITaskMarket.TaskMarketNotEligible.selector, fxProver)
        );
        Item[] memory own = new Item[](1);
        own[0] = its[0];
        assertEq(_batch(fxProver, own), 1, "own lock delivered");
    }

    // ================================================================== fuzz

    /// @dev Every batch size 1..64 of ramp-priced tasks, a random subset locked by fxProver at a random point of
    ///      the ramp, fulfilled later: all paid, every output recorded, fxProver credited exactly the prices
    ///      (locked price or the ramp's price now), the requester the rest of the escrow but the fees, the epoch
    ///      the fees, and every lock released.
    /// forge-config: default.fuzz.runs = 64
    function testFuzz_BatchSizes(uint256 size, uint64 lockMask, uint256 lockAt, uint256 fulfilAt) public {
        size = bound(size, 1, MAX_BATCH);
        uint256[] memory ks = _sortedKs(0, size);
        Item[] memory its = new Item[](size);
        for (uint256 i; i < size; ++i) {
            its[i] = _postRamp(ks[i]);
        }
        skip(bound(lockAt, 0, 1 hours));
        uint256 prices;
        uint256 fees;
        for (uint256 i; i < size; ++i) {
            if ((lockMask >> i) & 1 == 0) continue;
            its[i].task = _lock(its[i].task, fxProver);
        }
        skip(bound(fulfilAt, 0, 1 hours - 1));
        for (uint256 i; i < size; ++i) {
            uint256 price = market.priceAt(its[i].task, block.timestamp);
            prices += price;
            fees += market.feeAt(its[i].task, price);
        }

        assertEq(_batch(fxProver, its), size, "all paid");
        for (uint256 i; i < size; ++i) {
            (bool verified, uint256[] memory out) = market.verifiedOutput(sliceModelId, _commitment(its[i].k));
            assertTrue(verified, "verified");
            assertEq(out, _outputOf(its[i].k), "output");
        }
        assertEq(market.claimable(fxProver), prices, "credits = sum of prices");
        uint256 escrow = size * (BOUNTY + FEE);
        assertEq(market.claimable(requester2), escrow - prices - fees, "refunds = escrow - prices - fees");
        assertEq(market.epochInfo(market.currentEpoch()).fees, fees, "epoch fees");
        assertEq(market.accountOf(fxProver).locked, 0, "collateral released");
        assertEq(market.accountOf(fxProver).lockCount, 0, "locks released");
    }

    // ================================================================== helpers

    function _inputOf(uint256 k) internal view returns (uint256[] memory x) {
        x = new uint256[](3);
        for (uint256 j; j < 3; ++j) {
            x[j] = fxInputs[3 * k + j];
        }
    }

    function _outputOf(uint256 k) internal view returns (uint256[] memory) {
        return _words(fxOutputs[k]);
    }

    function _proofOf(uint256 k) internal view returns (uint256[8] memory p) {
        for (uint256 w; w < 8; ++w) {
            p[w] = fxProofs[8 * k + w];
        }
    }

    function _commitment(uint256 k) internal view returns (bytes32) {
        return keccak256(abi.encodePacked(_inputOf(k)));
    }

    /// @dev Fixture items `from .. from + count - 1`, ordered by statement id.
    function _sortedKs(uint256 from, uint256 count) internal view returns (uint256[] memory ks) {
        ks = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            uint256 k = from + i;
            uint256 id = uint256(_statementId(sliceModelId, _inputOf(k)));
            uint256 j = i;
            while (j > 0 && uint256(_statementId(sliceModelId, _inputOf(ks[j - 1]))) > id) {
                ks[j] = ks[j - 1];
                --j;
            }
            ks[j] = k;
        }
    }

    /// @dev Posts fixture items `from ..` (fixed price, one hour) and returns them in batch order.
    function _postSorted(uint256 from, uint256 count) internal returns (Item[] memory its) {
        uint256[] memory ks = _sortedKs(from, count);
        its = new Item[](count);
        for (uint256 i; i < count; ++i) {
            its[i] = _postFixed(ks[i], requester, block.timestamp + 1 hours);
        }
    }

    function _postFixed(uint256 k, address from, uint256 deadline) internal returns (Item memory it) {
        (it.task, it.id) = _postWith(from, sliceModelId, _inputOf(k), BOUNTY, COLLATERAL, deadline);
        it.k = k;
    }

    /// @dev Posts fixture item `k` from requester2 on a ramp from 2e18 to BOUNTY over the first hour.
    function _postRamp(uint256 k) internal returns (Item memory it) {
        ITaskMarket.Offer memory o = ITaskMarket.Offer({
            minPrice: 2e18,
            bounty: BOUNTY,
            rampDelay: 0,
            rampPeriod: 1 hours,
            collateral: COLLATERAL,
            deadline: block.timestamp + 2 hours
        });
        (it.task, it.id) = _postOffer(requester2, sliceModelId, _inputOf(k), o);
        it.k = k;
    }

    /// @dev Posts fixture item `k`'s input as a task of `modelId` (another model).
    function _postOtherModel(uint256 modelId, uint256 k) internal returns (Item memory it) {
        (it.task, it.id) = _postWith(requester, modelId, _inputOf(k), BOUNTY, COLLATERAL, block.timestamp + 1 hours);
        it.k = k;
    }

    function _append(Item[] memory its, Item memory x) internal pure returns (Item[] memory all) {
        all = new Item[](its.length + 1);
        for (uint256 i; i < its.length; ++i) {
            all[i] = its[i];
        }
        all[its.length] = x;
    }

    function _sortItems(Item[] memory its) internal pure returns (Item[] memory) {
        for (uint256 i = 1; i < its.length; ++i) {
            Item memory x = its[i];
            uint256 j = i;
            while (j > 0 && uint256(its[j - 1].id) > uint256(x.id)) {
                its[j] = its[j - 1];
                --j;
            }
            its[j] = x;
        }
        return its;
    }

    /// @dev The batch arguments for `its`: each task as stored, its fixture output and proof.
    function _args(Item[] memory its)
        internal
        view
        returns (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p)
    {
        uint256 n = its.length;
        t = new ITaskMarket.Task[](n);
        o = new uint256[][](n);
        p = new uint256[8][](n);
        for (uint256 i; i < n; ++i) {
            t[i] = its[i].task;
            o[i] = _outputOf(its[i].k);
            p[i] = _proofOf(its[i].k);
        }
    }

    function _batch(address from, Item[] memory its) internal returns (uint256) {
        (ITaskMarket.Task[] memory t, uint256[][] memory o, uint256[8][] memory p) = _args(its);
        vm.prank(from);
        return market.fulfilBatch(t, o, p);
    }

    function _expectBatchRevert(
        address from,
        ITaskMarket.Task[] memory t,
        uint256[][] memory o,
        uint256[8][] memory p,
        bytes memory err
    ) internal {
        vm.prank(from);
        vm.expectRevert(err);
        market.fulfilBatch(t, o, p);
    }

    function _fulfilSingle(Item memory it) internal {
        vm.prank(fxProver);
        market.fulfil(it.task, _outputOf(it.k), _proofOf(it.k));
    }

    /// @dev The market as the comparison reads it; `records` hashes, per task, its verified output, open task
    ///      hash and pending cancellation.
    function _view(Item[] memory its) internal view returns (MarketView memory v) {
        v.proverClaimable = market.claimable(fxProver);
        v.requesterClaimable = market.claimable(requester);
        v.requester2Claimable = market.claimable(requester2);
        v.treasuryClaimable = market.claimable(market.treasury());
        v.account = market.accountOf(fxProver);
        uint256 e = market.currentEpoch();
        if (e != 0) v.previousEpoch = market.epochInfo(e - 1);
        v.epoch = market.epochInfo(e);
        v.pool = market.unallocatedEmissions();
        v.carry = market.carriedEmission();
        v.balance = token.balanceOf(address(market));
        for (uint256 i; i < its.length; ++i) {
            (bool verified, uint256[] memory out) = market.verifiedOutput(sliceModelId, _commitment(its[i].k));
            v.records = keccak256(
                abi.encode(v.records, verified, out, market.openTaskHash(its[i].id), market.cancelDueAt(its[i].id))
            );
        }
    }

    function _assertSameView(MarketView memory a, MarketView memory b) internal pure {
        assertEq(a.proverClaimable, b.proverClaimable, "prover claimable");
        assertEq(a.requesterClaimable, b.requesterClaimable, "requester refunds");
        assertEq(a.requester2Claimable, b.requester2Claimable, "requester2 refunds");
        assertEq(a.treasuryClaimable, b.treasuryClaimable, "treasury claimable");
        assertEq(a.account.active, b.account.active, "active stake");
        assertEq(a.account.locked, b.account.locked, "locked");
        assertEq(a.account.lockCount, b.account.lockCount, "lockCount");
        assertEq(a.previousEpoch.fees, b.previousEpoch.fees, "previous epoch fees");
        assertEq(a.previousEpoch.settledFees, b.previousEpoch.settledFees, "previous epoch settled fees");
        assertEq(a.previousEpoch.emission, b.previousEpoch.emission, "previous epoch emission");
        assertEq(a.epoch.fees, b.epoch.fees, "epoch fees");
        assertEq(a.epoch.settledFees, b.epoch.settledFees, "epoch settled fees");
        assertEq(a.epoch.emission, b.epoch.emission, "epoch emission");
        assertEq(a.pool, b.pool, "pool");
        assertEq(a.carry, b.carry, "carry");
        assertEq(a.balance, b.balance, "market balance");
        assertEq(a.records, b.records, "records, outputs, open tasks, cancellations");
    }
}
