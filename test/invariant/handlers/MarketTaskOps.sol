// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {IMarketGovernance} from "../../../contracts/interfaces/IMarketGovernance.sol";
import {IStaking} from "../../../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../../../contracts/interfaces/ITaskMarket.sol";
import {MarketHandlerBase} from "./MarketHandlerBase.sol";

/// @notice The task operations of the handler, each attempted with the outcome the model predicts: the error the
///         market must revert with (in the market's order of checks), or success, which is then booked in the
///         ghost ledger and checked against the properties it touches: (d) slashes, (e) prices and refunds,
///         (f) fulfilments and cancellations.
abstract contract MarketTaskOps is MarketHandlerBase {
    /// @dev Posts `o` for `r` (with a fresh input); a fixed price goes through `postTask` half the time.
    function _tryPost(address r, uint256 modelId, ITaskMarket.Offer memory o, bool viaPostTask)
        internal
        returns (bool)
    {
        if (_open.length >= MAX_OPEN) return false;
        ITaskMarket.Task memory t = _taskFor(r, modelId, o);
        uint256 escrow = uint256(t.bounty) + t.fee;
        _mint(r, escrow);
        bool fixedPrice = o.minPrice == o.bounty && o.rampDelay == 0 && o.rampPeriod == 0;
        vm.prank(r);
        bytes32 id;
        bool ok;
        bytes memory err;
        if (fixedPrice && viaPostTask) {
            try market.postTask(modelId, t.input, o.bounty, o.collateral, o.deadline, "") returns (bytes32 x) {
                (id, ok) = (x, true);
            } catch (bytes memory e) {
                err = e;
            }
        } else {
            try market.postTaskWithOffer(modelId, t.input, o, "") returns (bytes32 x) {
                (id, ok) = (x, true);
            } catch (bytes memory e) {
                err = e;
            }
        }
        if (ghostPaused) {
            if (ok) _violation("posted while paused");
            else _expectError(err, IMarketGovernance.EnforcedPause.selector, "post while paused");
            return false;
        }
        if (!ok) {
            _unexpected("post", err);
            return false;
        }
        if (id != _id(t)) _violation("statement id");
        if (market.openTaskHash(id) != market.taskHash(t)) _violation("stored task hash");
        ghostEscrowed += escrow;
        _open.push(t);
        return true;
    }

    /// @dev `p` locks open task `i` now. On success, the task as the TaskLocked event stores it replaces ours,
    ///      after (e): its price is the ramp's price now, within [minPrice, bounty], its fee scaled with it, its
    ///      slash terms the parameters now, and the requester got the rest of the escrow back.
    function _tryLock(uint256 i, address p) internal returns (bool) {
        ITaskMarket.Task memory t = _open[i];
        bytes32 id = _id(t);
        bytes4 expected;
        if (ghostPaused) expected = IMarketGovernance.EnforcedPause.selector;
        else if (t.prover != address(0)) expected = ITaskMarket.TaskMarketLocked.selector;
        else if (_expired(t)) expected = ITaskMarket.TaskMarketExpired.selector;
        else if (ghostCancelDue[id] != 0) expected = ITaskMarket.TaskMarketCancelling.selector;
        else if (!_eligible(p)) expected = ITaskMarket.TaskMarketNotEligible.selector;
        else if (market.freeStakeOf(p) < t.collateral) expected = IStaking.StakingInsufficientFreeStake.selector;
        uint256 refundBefore = market.claimable(t.requester);
        IMarketGovernance.Params memory params = market.params();

        vm.prank(p);
        try market.lockTask(t) {}
        catch (bytes memory err) {
            if (expected == bytes4(0)) _unexpected("lockTask", err);
            else _expectError(err, expected, "lockTask");
            return false;
        }
        if (expected != bytes4(0)) {
            _violation(string.concat("lockTask should have reverted with ", vm.toString(abi.encodePacked(expected))));
            if (expected == ITaskMarket.TaskMarketCancelling.selector) _property(2, "locked a cancelling task");
        }
        ITaskMarket.Task memory locked = _lockedFromLogs(t);
        uint256 price = _price(t, block.timestamp);
        if (locked.bounty > t.bounty || locked.bounty < t.minPrice) _property(1, "lock price outside the ramp");
        if (locked.bounty != price || locked.minPrice != price) _property(1, "lock price != ramp price now");
        if (locked.fee != _feeAt(t, price)) _property(1, "locked fee not scaled with the price");
        uint256 refund = uint256(t.bounty) - locked.bounty + t.fee - locked.fee;
        if (market.claimable(t.requester) != refundBefore + refund) _property(1, "lock refund != escrow - price");
        if (
            locked.slashRequesterBps != params.slashRequesterBps || locked.slashCallerBps != params.slashCallerBps
                || locked.slashBurnBps != params.slashBurnBps
        ) _violation("slash terms not fixed at lock");
        if (locked.prover != p || market.openTaskHash(id) != market.taskHash(locked)) _violation("locked task hash");
        _creditLedger(t.requester, refund);
        ghostRefunded += refund;
        _open[i] = locked;
        return true;
    }

    /// @dev The task of the TaskLocked event among the recorded logs (`t` with the prover set if none found).
    function _lockedFromLogs(ITaskMarket.Task memory t) internal returns (ITaskMarket.Task memory) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 k; k < logs.length; ++k) {
            if (logs[k].emitter == address(market) && logs[k].topics[0] == ITaskMarket.TaskLocked.selector) {
                return abi.decode(logs[k].data, (ITaskMarket.Task));
            }
        }
        _violation("no TaskLocked event");
        return t;
    }

    /// @dev `p` fulfils open task `i` with a proof bound to itself. A locked task pays its locked price, an
    ///      unlocked one the ramp's price now, refunding the rest to the requester (e); (f) a fulfil once the
    ///      task's cancellation is due must fail.
    function _tryFulfil(uint256 i, address p, uint256 outSeed) internal returns (bool) {
        ITaskMarket.Task memory t = _open[i];
        FulfilCheck memory c = _fulfilCheck(t, p);
        uint256[] memory out = _output(t.outputWords, outSeed);
        _arm(t, out, p);

        vm.prank(p);
        try market.fulfil(t, out, _proof) {}
        catch (bytes memory err) {
            if (c.expected == bytes4(0)) _unexpected("fulfil", err);
            else _expectError(err, c.expected, "fulfil");
            return false;
        }
        if (c.expected != bytes4(0)) {
            _violation(string.concat("fulfil should have reverted with ", vm.toString(abi.encodePacked(c.expected))));
        }
        _checkFulfilment(t, p, c);
        _sync();
        _bookFulfilment(t, p, c.price);
        bytes32 id = _id(t);
        (bool verified, uint256[] memory got) = market.verifiedOutput(t.modelId, keccak256(abi.encodePacked(t.input)));
        if (!verified || keccak256(abi.encode(got)) != keccak256(abi.encode(out))) _violation("verified output");
        if (market.openTaskHash(id) != bytes32(0)) _violation("fulfilled task still open");
        _paidIds.push(id);
        _done.push(t);
        _removeOpen(i);
        return true;
    }

    /// @dev What the model expects of `p` fulfilling `t` now, and the balances the outcome is checked against.
    struct FulfilCheck {
        bytes4 expected;
        bool cancelDue;
        uint256 price;
        uint256 proverBefore;
        uint256 requesterBefore;
        IStaking.Account accountBefore;
    }

    function _fulfilCheck(ITaskMarket.Task memory t, address p) internal view returns (FulfilCheck memory c) {
        bool locked = t.prover != address(0);
        c.cancelDue = !locked && _cancelIsDue(_id(t));
        if (ghostPaused) c.expected = IMarketGovernance.EnforcedPause.selector;
        else if (_expired(t)) c.expected = ITaskMarket.TaskMarketExpired.selector;
        else if (locked && t.prover != p) c.expected = ITaskMarket.TaskMarketLocked.selector;
        else if (!locked && !_eligible(p)) c.expected = ITaskMarket.TaskMarketNotEligible.selector;
        else if (c.cancelDue) c.expected = ITaskMarket.TaskMarketCancelling.selector;
        c.price = locked ? t.bounty : _price(t, block.timestamp);
        c.proverBefore = market.claimable(p);
        c.requesterBefore = market.claimable(t.requester);
        c.accountBefore = market.accountOf(p);
    }

    /// @dev (e) and (f) after a successful fulfilment.
    function _checkFulfilment(ITaskMarket.Task memory t, address p, FulfilCheck memory c) internal {
        if (c.cancelDue) _property(2, "fulfilled a task whose cancellation was due");
        uint256 refund = uint256(t.bounty) - c.price + t.fee - _feeAt(t, c.price);
        if (market.claimable(t.requester) != c.requesterBefore + refund) {
            _property(1, "fulfil refund != escrow - price");
        }
        if (market.claimable(p) != c.proverBefore + c.price) _property(1, "fulfil paid != ramp price");
        if (c.price > t.bounty || c.price < t.minPrice) _property(1, "fulfil price outside the ramp");
        IStaking.Account memory a = market.accountOf(p);
        if (
            t.prover != address(0)
                && (uint256(a.locked) + t.collateral != c.accountBefore.locked
                    || a.lockCount + 1 != c.accountBefore.lockCount)
        ) _violation("fulfil did not release the collateral");
    }

    /// @dev `caller` slashes open task `i`. (d): success only for a locked task past its effective deadline (the
    ///      model's pause clock), never while paused; shares from the terms fixed at lock; a second slash fails.
    function _trySlash(uint256 i, address caller) internal returns (bool) {
        ITaskMarket.Task memory t = _open[i];
        bool paused = ghostPaused;
        bool expired = _expired(t);
        bytes4 expected;
        if (paused) expected = IMarketGovernance.EnforcedPause.selector;
        else if (t.prover == address(0)) expected = ITaskMarket.TaskMarketNotLocked.selector;
        else if (!expired) expected = ITaskMarket.TaskMarketNotExpired.selector;
        uint256 c = t.collateral;
        uint256 toRequester = c * t.slashRequesterBps / 10_000;
        uint256 toCaller = c * t.slashCallerBps / 10_000;
        uint256 burned = c * t.slashBurnBps / 10_000;
        uint256 toTreasury = c - toRequester - toCaller - burned;
        uint256 burnBefore = token.balanceOf(BURN);

        vm.prank(caller);
        try market.slash(t) {}
        catch (bytes memory err) {
            if (expected == bytes4(0)) _unexpected("slash", err);
            else _expectError(err, expected, "slash");
            return false;
        }
        if (paused) _property(0, "slashed while paused");
        if (!expired) _property(0, "slashed before the effective deadline");
        if (expected != bytes4(0)) _violation("slash should have reverted");
        _sync();
        if (token.balanceOf(BURN) != burnBefore + burned) _violation("burned amount");
        _creditLedger(t.requester, toRequester + t.bounty + t.fee);
        _creditLedger(caller, toCaller);
        _creditLedger(admin, toTreasury);
        ghostRefunded += uint256(t.bounty) + t.fee;
        ghostSlashShares += toRequester + toCaller + toTreasury;
        ghostBurned += burned;
        ghostSlashedOf[t.prover] += c;
        ghostSlashedTotal += c;

        vm.prank(caller);
        try market.slash(t) {
            _violation("slashed twice");
        } catch (bytes memory err) {
            _expectError(err, ITaskMarket.TaskMarketUnknownTask.selector, "double slash");
        }
        _removeOpen(i);
        return true;
    }

    /// @dev `caller` cancels open task `i`: only an unlocked task whose cancellation is due or whose effective
    ///      deadline passed; (f) a locked task never.
    function _tryCancel(uint256 i, address caller) internal returns (bool) {
        ITaskMarket.Task memory t = _open[i];
        bool locked = t.prover != address(0);
        bytes4 expected;
        if (locked) expected = ITaskMarket.TaskMarketLocked.selector;
        else if (!_cancelIsDue(_id(t)) && !_expired(t)) expected = ITaskMarket.TaskMarketNotCancellable.selector;

        vm.prank(caller);
        try market.cancelTask(t) {}
        catch (bytes memory err) {
            if (expected == bytes4(0)) _unexpected("cancelTask", err);
            else _expectError(err, expected, "cancelTask");
            return false;
        }
        if (locked) _property(2, "cancelled a locked task");
        if (expected != bytes4(0)) _violation("cancelTask should have reverted");
        _sync();
        _creditLedger(t.requester, uint256(t.bounty) + t.fee);
        ghostRefunded += uint256(t.bounty) + t.fee;
        _removeOpen(i);
        return true;
    }

    /// @dev `caller` requests the cancellation of open task `i`: only its requester, only unlocked, only once.
    function _tryRequestCancel(uint256 i, address caller) internal returns (bool) {
        ITaskMarket.Task memory t = _open[i];
        bytes32 id = _id(t);
        bytes4 expected;
        if (t.prover != address(0)) expected = ITaskMarket.TaskMarketLocked.selector;
        else if (caller != t.requester) expected = ITaskMarket.TaskMarketNotRequester.selector;
        else if (ghostCancelDue[id] != 0) expected = ITaskMarket.TaskMarketCancelling.selector;

        vm.prank(caller);
        try market.requestCancel(t) {}
        catch (bytes memory err) {
            if (expected == bytes4(0)) _unexpected("requestCancel", err);
            else _expectError(err, expected, "requestCancel");
            return false;
        }
        if (expected != bytes4(0)) _violation("requestCancel should have reverted");
        vm.getRecordedLogs();
        ghostCancelDue[id] = _activeNow() + CANCEL_NOTICE;
        if (market.cancelDueAt(id) != ghostCancelDue[id] + _pauseClock()) _violation("cancelDueAt");
        return true;
    }

    /// @dev `from` outbids open task `i` with `o`: only unlocked, only with every price of the new ramp MIN_OUTBID_BPS above the open bounty; the old requester
    ///      gets its whole escrow back and any pending cancellation is dropped.
    function _tryOutbid(uint256 i, address from, ITaskMarket.Offer memory o) internal returns (bool) {
        ITaskMarket.Task memory open = _open[i];
        uint256 needed = uint256(open.bounty) + uint256(open.bounty) * MIN_OUTBID_BPS / 10_000;
        bytes4 expected;
        if (ghostPaused) expected = IMarketGovernance.EnforcedPause.selector;
        else if (open.prover != address(0)) expected = ITaskMarket.TaskMarketLocked.selector;
        else if (o.minPrice < needed) expected = ITaskMarket.TaskMarketOutbidTooLow.selector;
        ITaskMarket.Task memory t = _offerTask(from, open.modelId, open.input, o);
        uint256 escrow = uint256(t.bounty) + t.fee;
        _mint(from, escrow);

        vm.prank(from);
        try market.outbidTask(open, o, "") {}
        catch (bytes memory err) {
            if (expected == bytes4(0)) _unexpected("outbidTask", err);
            else _expectError(err, expected, "outbidTask");
            return false;
        }
        if (expected != bytes4(0)) _violation("outbidTask should have reverted");
        _sync();
        _creditLedger(open.requester, uint256(open.bounty) + open.fee);
        ghostRefunded += uint256(open.bounty) + open.fee;
        ghostEscrowed += escrow;
        bytes32 id = _id(open);
        delete ghostCancelDue[id];
        if (market.openTaskHash(id) != market.taskHash(t)) _violation("outbid task hash");
        if (market.cancelDueAt(id) != 0) _violation("outbid kept the cancellation");
        _open[i] = t;
        return true;
    }
}
