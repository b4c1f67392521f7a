// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {IMarketGovernance} from "../../../contracts/interfaces/IMarketGovernance.sol";
import {IStaking} from "../../../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../../../contracts/interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../../../contracts/interfaces/IVerifiedOutputs.sol";
import {Statement} from "../../../contracts/libraries/Statement.sol";
import {MockGroth16Verifier} from "../../utils/MockGroth16Verifier.sol";
import {MarketTaskOps} from "./MarketTaskOps.sol";

/// @notice Batch fulfilment: an honest prover settles several tasks of one model with one `fulfilBatch` through
///         the model's mock verifier (armed with one expected statement hash per paid proof). The batch mixes the
///         prover's live tasks (its locks at the locked price, unlocked ones at the ramp price) with some it must
///         skip (locked by another, expired, cancellation due, already fulfilled), and is sometimes malformed
///         (unsorted, a task twice, proofs bound to another prover). The outcome is predicted as for `fulfil`
///         (MarketTaskOps): the exact revert, or which tasks are paid and which skipped (`TaskSkipped` with its
///         reason), then each paid task is booked in the ghost ledger exactly as a single fulfilment.
abstract contract MarketBatchActions is MarketTaskOps {
    uint256 internal constant A_FULFIL_BATCH = 28;

    /// @dev `TaskSkipped` reasons (BatchFulfil).
    uint8 internal constant SKIP_NOT_OPEN = 1;
    uint8 internal constant SKIP_LOCKED = 2;
    uint8 internal constant SKIP_EXPIRED = 3;
    uint8 internal constant SKIP_CANCELLED = 4;
    /// @dev `BatchItem.openIndex` of a task taken from `_done` (already fulfilled).
    uint256 internal constant NOT_OPEN = type(uint256).max;

    /// @dev Malformed batches (`mode` of `fulfilBatch`); any other mode sends a well-formed batch.
    uint256 internal constant M_REVERSED = 0;
    uint256 internal constant M_OTHER_PAYEE = 1;
    uint256 internal constant M_DUPLICATE = 2;

    /// @dev Call summary: tasks paid and skipped by successful batches, and batches refused as predicted.
    uint256 internal _batchTasksPaid;
    uint256 internal _batchTasksSkipped;
    uint256 internal _batchesRefused;

    /// @dev One task of a batch and what the model predicts for it (`skip` 0: paid at `price`).
    struct BatchItem {
        ITaskMarket.Task task;
        bytes32 id;
        uint256 openIndex;
        uint8 skip;
        uint256 price;
        uint256[] out;
    }

    /// @dev The predicted outcome of a batch (`expected`: the exact revert data, empty for success), and what the
    ///      prover's balances are checked against.
    struct BatchPlan {
        bytes expected;
        uint256 paid;
        uint256 prices;
        uint256 collateral;
        uint256 locks;
        uint256 proverBefore;
        IStaking.Account accountBefore;
        uint256[] requesterBefore;
    }

    /// @notice An honest prover fulfils a batch of tasks of one model (see the contract doc). One time in eight
    ///         the batch is reversed, one in eight carries a task twice, and one in eight its proofs are bound to
    ///         another prover, where the predicted error is checked instead.
    function fulfilBatch(uint256 proverSeed, uint256 taskSeed, uint256 seed) external {
        _begin(A_FULFIL_BATCH);
        uint256 modelId = _models[taskSeed % _models.length];
        uint256 first = NOT_OPEN;
        address p;
        if (_open.length != 0) {
            (, first) = _pick(taskSeed, LIVE);
            modelId = _open[first].modelId;
            p = _open[first].prover;
        }
        if (p == address(0) || p == sybilProver) p = _proverFor(proverSeed, 0);
        if (p == address(0)) p = _provers[proverSeed % _provers.length];
        _postFresh(modelId, p, seed);
        BatchItem[] memory items = _collect(modelId, p, first, seed);
        uint256 mode = (seed >> 4) % 8;
        items = _arrange(items, mode, seed);
        address payee = mode == M_OTHER_PAYEE ? _otherProver(p, seed) : p;
        if (_tryFulfilBatch(items, p, payee)) _ok(A_FULFIL_BATCH);
    }

    // ------------------------------------------------------------------ building a batch

    /// @dev Posts up to three fresh tasks of `modelId` (honest requesters), `p` locking one in three of them.
    function _postFresh(uint256 modelId, address p, uint256 seed) internal {
        uint256 count = (seed >> 32) % 4;
        for (uint256 c; c < count; ++c) {
            uint256 h = uint256(keccak256(abi.encode("batch", seed, c, _nonce)));
            if (!_tryPost(_requesters[h % _requesters.length], modelId, _offer(h, h % 2 == 0), h % 3 == 0)) return;
            if ((h >> 8) % 3 != 0) continue;
            uint256 collateral = _open[_open.length - 1].collateral;
            if (!ghostPaused && market.freeStakeOf(p) < collateral) _topUp(p, collateral);
            _tryLock(_open.length - 1, p);
        }
    }

    /// @dev Open tasks of `modelId` (task `first` always; `p`'s live ones three times in four, the others it must
    ///      skip one time in four), sometimes a fulfilled one, sorted by statement id.
    function _collect(uint256 modelId, address p, uint256 first, uint256 seed)
        internal
        view
        returns (BatchItem[] memory items)
    {
        items = new BatchItem[](_open.length + 1);
        uint256 n;
        for (uint256 k; k < _open.length; ++k) {
            ITaskMarket.Task memory t = _open[k];
            if (t.modelId != modelId) continue;
            uint8 skip = _skipOf(t, p);
            bool draw = uint256(keccak256(abi.encode(seed, k))) % 4 == 0;
            if (k != first && (skip == 0 ? draw : !draw)) continue;
            items[n++] = _item(t, k, skip, seed);
        }
        if (seed % 4 == 0) {
            uint256 m = _done.length;
            for (uint256 k; k < m; ++k) {
                ITaskMarket.Task memory d = _done[((seed >> 8) % m + k) % m];
                if (d.modelId != modelId) continue;
                items[n++] = _item(d, NOT_OPEN, SKIP_NOT_OPEN, seed);
                break;
            }
        }
        // Reason: shrinks the array to the `n` items filled in (n <= its length).
        assembly ("memory-safe") {
            mstore(items, n)
        }
        // Insertion sort by statement id (at most MAX_OPEN + 1 items).
        for (uint256 i = 1; i < n; ++i) {
            BatchItem memory x = items[i];
            uint256 j = i;
            while (j > 0 && uint256(items[j - 1].id) > uint256(x.id)) {
                items[j] = items[j - 1];
                --j;
            }
            items[j] = x;
        }
    }

    /// @dev Why the market must skip `t` for `p` now (0: it pays it), in the market's order of checks.
    function _skipOf(ITaskMarket.Task memory t, address p) internal view returns (uint8) {
        if (t.prover != address(0) && t.prover != p) return SKIP_LOCKED;
        if (_expired(t)) return SKIP_EXPIRED;
        if (t.prover == address(0) && _cancelIsDue(_id(t))) return SKIP_CANCELLED;
        return 0;
    }

    function _item(ITaskMarket.Task memory t, uint256 openIndex, uint8 skip, uint256 seed)
        internal
        view
        returns (BatchItem memory it)
    {
        it.task = t;
        it.id = _id(t);
        it.openIndex = openIndex;
        it.skip = skip;
        it.price = t.prover != address(0) ? t.bounty : _price(t, block.timestamp);
        it.out = _output(t.outputWords, uint256(keccak256(abi.encode(seed, it.id))));
    }

    /// @dev Malforms a sorted batch for `mode`: reversed (two tasks or more), or one task repeated right after
    ///      itself.
    function _arrange(BatchItem[] memory items, uint256 mode, uint256 seed) internal pure returns (BatchItem[] memory) {
        uint256 n = items.length;
        if (mode == M_REVERSED && n >= 2) {
            for (uint256 i; i < n / 2; ++i) {
                (items[i], items[n - 1 - i]) = (items[n - 1 - i], items[i]);
            }
        } else if (mode == M_DUPLICATE && n != 0) {
            uint256 d = (seed >> 16) % n;
            BatchItem[] memory twice = new BatchItem[](n + 1);
            for (uint256 i; i <= n; ++i) {
                twice[i] = items[i <= d ? i : i - 1];
            }
            return twice;
        }
        return items;
    }

    // ------------------------------------------------------------------ the operation

    /// @dev `p` sends `items` as one batch, its proofs bound to `payee`. Success only as predicted (`_planBatch`);
    ///      then every paid task is checked (recorded output, closed, (e) price and refund, collateral released)
    ///      and booked like a single fulfilment, every skipped one is left as it was, and (f) a task whose
    ///      cancellation was due is never paid.
    function _tryFulfilBatch(BatchItem[] memory items, address p, address payee) internal returns (bool) {
        if (items.length == 0) return false;
        BatchPlan memory plan = _planBatch(items, p, payee);
        _armBatch(items, payee);
        (ITaskMarket.Task[] memory tasks, uint256[][] memory outs, uint256[8][] memory proofs) = _calldata(items);

        vm.prank(p);
        try market.fulfilBatch(tasks, outs, proofs) returns (uint256 paid) {
            if (plan.expected.length != 0) {
                _violation(string.concat("fulfilBatch should have reverted with ", vm.toString(plan.expected)));
            }
            if (paid != plan.paid) _violation("fulfilBatch paid count != tasks it could pay");
            _batchTasksPaid += paid;
            _batchTasksSkipped += items.length - paid;
        } catch (bytes memory err) {
            if (plan.expected.length == 0) {
                _unexpected("fulfilBatch", err);
            } else if (keccak256(err) != keccak256(plan.expected)) {
                _violation(string.concat("fulfilBatch: got ", vm.toString(err)));
            } else {
                ++_batchesRefused;
            }
            vm.getRecordedLogs();
            return false;
        }
        Vm.Log[] memory logs = vm.getRecordedLogs();
        _checkBatchLogs(items, p, logs);
        _checkBatchEffects(items, p, plan);
        _syncLogs(logs);
        _bookBatch(items, p);
        return true;
    }

    /// @dev The model's prediction, in the market's order: the pause; then task by task, a paid unlocked task
    ///      needs an eligible caller, and each statement id must be above the previous one; a paid batch bound to
    ///      another payee fails the proof check.
    function _planBatch(BatchItem[] memory items, address p, address payee)
        internal
        view
        returns (BatchPlan memory plan)
    {
        plan.proverBefore = market.claimable(p);
        plan.accountBefore = market.accountOf(p);
        plan.requesterBefore = new uint256[](items.length);
        for (uint256 i; i < items.length; ++i) {
            plan.requesterBefore[i] = market.claimable(items[i].task.requester);
        }
        if (ghostPaused) {
            plan.expected = abi.encodeWithSelector(IMarketGovernance.EnforcedPause.selector);
            return plan;
        }
        bool eligible = _eligible(p);
        uint256 previous;
        for (uint256 i; i < items.length; ++i) {
            BatchItem memory it = items[i];
            if (it.skip == 0) {
                if (it.task.prover == address(0) && !eligible) {
                    plan.expected = abi.encodeWithSelector(ITaskMarket.TaskMarketNotEligible.selector, p);
                    return plan;
                }
                ++plan.paid;
                plan.prices += it.price;
                if (it.task.prover != address(0)) {
                    plan.collateral += it.task.collateral;
                    ++plan.locks;
                }
            }
            if (uint256(it.id) <= previous) {
                plan.expected = abi.encodeWithSelector(ITaskMarket.TaskMarketBatchOrder.selector, i);
                return plan;
            }
            previous = uint256(it.id);
        }
        if (payee != p && plan.paid != 0) {
            plan.expected = abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidBatchProof.selector);
        }
    }

    /// @dev Points the model's mock verifier at exactly the statements the batch pays, in order, bound to `payee`.
    function _armBatch(BatchItem[] memory items, address payee) internal {
        uint256 paid;
        for (uint256 i; i < items.length; ++i) {
            if (items[i].skip == 0) ++paid;
        }
        bytes32[] memory hashes = new bytes32[](paid);
        uint256 k;
        for (uint256 i; i < items.length; ++i) {
            BatchItem memory it = items[i];
            if (it.skip != 0) continue;
            hashes[k++] = keccak256(
                abi.encodePacked(
                    Statement.inference(it.task.input, it.out, it.task.privateWeights, it.task.weightsCommitment, payee)
                )
            );
        }
        MockGroth16Verifier(items[0].task.verifier).setExpectedBatchInputsHashes(hashes);
    }

    function _calldata(BatchItem[] memory items)
        internal
        view
        returns (ITaskMarket.Task[] memory tasks, uint256[][] memory outs, uint256[8][] memory proofs)
    {
        uint256 n = items.length;
        tasks = new ITaskMarket.Task[](n);
        outs = new uint256[][](n);
        proofs = new uint256[8][](n);
        for (uint256 i; i < n; ++i) {
            tasks[i] = items[i].task;
            outs[i] = items[i].out;
            proofs[i] = _proof;
        }
    }

    // ------------------------------------------------------------------ checks and booking

    /// @dev The batch's task events, in order: `TaskSkipped` with the predicted reason for each skipped task and
    ///      `OutputVerified` (prover, output) for each paid one.
    function _checkBatchLogs(BatchItem[] memory items, address p, Vm.Log[] memory logs) internal {
        uint256 next;
        for (uint256 k; k < logs.length; ++k) {
            Vm.Log memory l = logs[k];
            if (l.emitter != address(market) || l.topics.length == 0) continue;
            bool skipped = l.topics[0] == ITaskMarket.TaskSkipped.selector;
            if (!skipped && l.topics[0] != IVerifiedOutputs.OutputVerified.selector) continue;
            if (next == items.length) return _violation("fulfilBatch: more task events than tasks");
            BatchItem memory it = items[next++];
            if (skipped) {
                if (it.skip == 0) _violation("fulfilBatch skipped a task it could pay");
                if (l.topics[1] != it.id || abi.decode(l.data, (uint8)) != it.skip) {
                    _violation("fulfilBatch: TaskSkipped id or reason");
                }
            } else {
                if (it.skip == SKIP_CANCELLED) _property(2, "batch fulfilled a task whose cancellation was due");
                if (it.skip != 0) _violation("fulfilBatch paid a task it had to skip");
                if (
                    uint256(l.topics[1]) != it.task.modelId || l.topics[2] != keccak256(abi.encodePacked(it.task.input))
                        || address(uint160(uint256(l.topics[3]))) != p
                        || keccak256(l.data) != keccak256(abi.encode(it.out))
                ) _violation("fulfilBatch: OutputVerified");
            }
        }
        if (next != items.length) _violation("fulfilBatch: fewer task events than tasks");
    }

    /// @dev (e) The prover got the sum of the prices, each requester exactly the refunds of its unlocked paid
    ///      tasks, the collateral of the paid locks was released; paid tasks are recorded and closed, skipped
    ///      ones left as they were.
    function _checkBatchEffects(BatchItem[] memory items, address p, BatchPlan memory plan) internal {
        if (market.claimable(p) != plan.proverBefore + plan.prices) _property(1, "batch paid != sum of prices");
        for (uint256 i; i < items.length; ++i) {
            address r = items[i].task.requester;
            uint256 refunds;
            for (uint256 j; j < items.length; ++j) {
                BatchItem memory it = items[j];
                if (it.skip != 0 || it.task.prover != address(0) || it.task.requester != r) continue;
                refunds += uint256(it.task.bounty) - it.price + it.task.fee - _feeAt(it.task, it.price);
            }
            if (market.claimable(r) != plan.requesterBefore[i] + refunds) {
                _property(1, "batch refund != escrow - price");
            }
        }
        IStaking.Account memory a = market.accountOf(p);
        if (
            uint256(a.locked) + plan.collateral != plan.accountBefore.locked
                || uint256(a.lockCount) + plan.locks != plan.accountBefore.lockCount
        ) _violation("fulfilBatch did not release exactly the paid locks");
        for (uint256 i; i < items.length; ++i) {
            BatchItem memory it = items[i];
            if (it.openIndex == NOT_OPEN) continue;
            bytes32 open = market.openTaskHash(it.id);
            if (it.skip != 0) {
                if (open != market.taskHash(it.task)) _violation("fulfilBatch changed a skipped task");
                continue;
            }
            (bool verified, uint256[] memory got) =
                market.verifiedOutput(it.task.modelId, keccak256(abi.encodePacked(it.task.input)));
            if (!verified || keccak256(abi.encode(got)) != keccak256(abi.encode(it.out))) {
                _violation("batch verified output");
            }
            if (open != bytes32(0)) _violation("batch-fulfilled task still open");
        }
    }

    /// @dev Books every paid task as a single fulfilment (after the batch's logs are synced), and closes them.
    function _bookBatch(BatchItem[] memory items, address p) internal {
        uint256[] memory closed = new uint256[](items.length);
        uint256 n;
        for (uint256 i; i < items.length; ++i) {
            BatchItem memory it = items[i];
            if (it.skip != 0) continue;
            _bookFulfilment(it.task, p, it.price);
            _paidIds.push(it.id);
            _done.push(it.task);
            // Insert the open index in decreasing order, so that removing them one by one moves no other.
            uint256 j = n++;
            while (j > 0 && closed[j - 1] < it.openIndex) {
                closed[j] = closed[j - 1];
                --j;
            }
            closed[j] = it.openIndex;
        }
        for (uint256 k; k < n; ++k) {
            _removeOpen(closed[k]);
        }
    }
}
