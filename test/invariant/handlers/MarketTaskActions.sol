// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarketGovernance} from "../../../contracts/interfaces/IMarketGovernance.sol";
import {ITaskMarket} from "../../../contracts/interfaces/ITaskMarket.sol";
import {Statement} from "../../../contracts/libraries/Statement.sol";
import {MarketTaskOps} from "./MarketTaskOps.sol";

/// @notice Fuzzed task actions of honest requesters and provers: posting (fixed price or ramp), locking at random
///         points of the ramp, fulfilling (locked and unlocked), the two-step cancellation, outbidding and
///         slashing, each sometimes aimed where it must fail (see MarketTaskOps for the predicted outcomes).
abstract contract MarketTaskActions is MarketTaskOps {
    uint256 internal constant A_POST = 0;
    uint256 internal constant A_POST_OFFER = 1;
    uint256 internal constant A_LOCK = 2;
    uint256 internal constant A_FULFIL = 3;
    uint256 internal constant A_WRONG = 4;
    uint256 internal constant A_REQUEST_CANCEL = 5;
    uint256 internal constant A_CANCEL = 6;
    uint256 internal constant A_OUTBID = 7;
    uint256 internal constant A_SLASH = 8;

    /// @notice A requester posts a fixed-price task; sometimes it re-posts a verified statement, which must fail.
    function postTask(uint256 requesterSeed, uint256 modelSeed, uint256 seed) external {
        _begin(A_POST);
        address r = _requesters[requesterSeed % _requesters.length];
        if (_done.length != 0 && seed % 8 == 0 && !ghostPaused) {
            ITaskMarket.Task memory d = _done[seed % _done.length];
            IMarketGovernance.Params memory p = market.params();
            _mint(r, 2 * p.minBounty);
            vm.prank(r);
            try market.postTask(
                d.modelId, d.input, p.minBounty, p.minCollateral, block.timestamp + p.minTaskDuration + 1, ""
            ) {
                _violation("re-posted a verified statement");
            } catch (bytes memory err) {
                _expectError(err, ITaskMarket.TaskMarketStatementTaken.selector, "re-post");
            }
            return;
        }
        if (!_tryPost(r, _models[modelSeed % _models.length], _offer(seed, false), seed % 2 == 0)) return;
        _ok(A_POST);
        // Sometimes an honest prover takes it at once.
        if ((seed >> 4) % 3 == 0) {
            address p = _proverFor(requesterSeed, 0);
            if (p != address(0)) _tryFulfil(_open.length - 1, p, seed);
        }
    }

    /// @notice A requester posts a task on a random ramp; sometimes an invalid offer, which must fail.
    function postTaskWithOffer(uint256 requesterSeed, uint256 modelSeed, uint256 seed) external {
        _begin(A_POST_OFFER);
        address r = _requesters[requesterSeed % _requesters.length];
        uint256 modelId = _models[modelSeed % _models.length];
        ITaskMarket.Offer memory o = _offer(seed, true);
        if (seed % 7 == 0 && !ghostPaused) {
            // The ramp must end before the deadline, and start at or below the bounty.
            if (seed % 2 == 0) o.rampPeriod = uint32(o.deadline - block.timestamp - o.rampDelay);
            else o.minPrice = o.bounty + 1;
            _mint(r, 2 * o.bounty);
            vm.prank(r);
            try market.postTaskWithOffer(modelId, _output(1, seed), o, "") {
                _violation("posted an invalid offer");
            } catch (bytes memory err) {
                // (A 1-word input is the wrong length for model B; that check comes first.)
                if (err.length < 4 || bytes4(err) != ITaskMarket.TaskMarketWrongInputLength.selector) {
                    _expectError(err, ITaskMarket.TaskMarketInvalidOffer.selector, "invalid offer");
                }
            }
            return;
        }
        if (_tryPost(r, modelId, o, false)) _ok(A_POST_OFFER);
    }

    /// @notice An honest prover locks a task at a random point of its ramp (posting one if none is lockable);
    ///         one time in four any open task by any prover, where the predicted error is checked instead.
    function lockTask(uint256 proverSeed, uint256 taskSeed, uint256 wait) external {
        _begin(A_LOCK);
        if (taskSeed % 4 == 0 && _open.length != 0) {
            (, uint256 j) = _pick(taskSeed, ANY);
            // (An honest lock of a self-dealer's task would let the group earn from the honest prover's slash.)
            if (_inSybilGroup[_open[j].requester] && _open[j].prover == address(0)) return;
            if (_tryLock(j, _provers[proverSeed % _provers.length])) _ok(A_LOCK);
            return;
        }
        (bool found, uint256 i) = _lockable(taskSeed);
        if (!found) return;
        _warpIntoRamp(_open[i], wait);
        address p = _proverFor(proverSeed, _open[i].collateral);
        if (p == address(0)) p = _provers[proverSeed % _provers.length];
        if (_tryLock(i, p)) _ok(A_LOCK);
    }

    /// @notice The honest fulfilment of a live task: its locking prover, or any eligible prover at the ramp price
    ///         (sometimes after locking it). One time in five any open task by any honest prover.
    function fulfil(uint256 proverSeed, uint256 taskSeed, uint256 outSeed) external {
        _begin(A_FULFIL);
        if (outSeed % 5 == 0 && _open.length != 0) {
            (, uint256 j) = _pick(taskSeed, ANY);
            if (_tryFulfil(j, _provers[proverSeed % _provers.length], outSeed)) _ok(A_FULFIL);
            return;
        }
        (bool found, uint256 i) = _pick(taskSeed, LIVE);
        if (!found || _inSybilGroup[_open[i].requester] && _open[i].prover != address(0)) {
            (found, i) = _lockable(taskSeed);
            if (!found) return;
        }
        if (_open[i].prover == address(0) && outSeed % 3 == 0 && !_inSybilGroup[_open[i].requester]) {
            _warpIntoRamp(_open[i], outSeed >> 8);
            address q = _proverFor(proverSeed, _open[i].collateral);
            if (q != address(0)) _tryLock(i, q);
        }
        ITaskMarket.Task memory t = _open[i];
        address p = t.prover != address(0) ? t.prover : _proverFor(proverSeed, 0);
        if (p == address(0)) p = _provers[proverSeed % _provers.length];
        if (_tryFulfil(i, p, outSeed)) _ok(A_FULFIL);
    }

    /// @notice Fulfilments that must fail whoever tries: a struct forged to name another prover, a proof of another
    ///         output, a proof bound to one prover submitted by another (as is, or with the payee pre-filled), a
    ///         replay of a fulfilled task, and a prover below the minimum stake.
    function fulfilWrongProver(uint256 proverSeed, uint256 taskSeed, uint256 mode) external {
        _begin(A_WRONG);
        if (ghostPaused) return;
        mode %= 6;
        if (mode == 5) {
            if (_done.length == 0) return;
            ITaskMarket.Task memory d = _done[taskSeed % _done.length];
            address q = _provers[proverSeed % _provers.length];
            uint256[] memory o = _output(d.outputWords, proverSeed);
            _arm(d, o, q);
            _expectFulfilFails(d, o, q, ITaskMarket.TaskMarketUnknownTask.selector, "replayed a fulfilled task");
            _ok(A_WRONG);
            return;
        }
        (bool found, uint256 i) = _pick(taskSeed, LIVE);
        if (!found) return;
        ITaskMarket.Task memory t = _open[i];
        uint256[] memory out = _output(t.outputWords, taskSeed ^ mode);
        address a = t.prover != address(0) ? t.prover : _proverFor(proverSeed, 0);
        if (a == address(0) || (t.prover == address(0) && _cancelIsDue(_id(t)))) return;
        if (mode == 0) {
            // Another prover rewrites the struct to name itself: the hash no longer matches.
            address w = _otherProver(a, proverSeed);
            ITaskMarket.Task memory f = _copy(t);
            f.prover = w;
            _arm(f, out, w);
            _expectFulfilFails(f, out, w, ITaskMarket.TaskMarketUnknownTask.selector, "forged lock accepted");
        } else if (mode == 1) {
            _arm(t, out, a);
            uint256[] memory other = _copyWords(out);
            other[other.length - 1] ^= 1;
            _expectFulfilFails(t, other, a, ITaskMarket.TaskMarketInvalidProof.selector, "proof of another output");
        } else if (mode <= 3) {
            if (t.prover != address(0)) return;
            // The proof is bound to `a`; `b` copies it from the mempool.
            address b = _otherProver(a, proverSeed);
            if (!_eligible(b)) return;
            _arm(t, out, a);
            if (mode == 2) {
                _expectFulfilFails(t, out, b, ITaskMarket.TaskMarketInvalidProof.selector, "front-run a bound proof");
            } else {
                uint256[] memory filled = _copyWords(out);
                filled[filled.length - 1] = Statement.bindPayee(filled[filled.length - 1], a);
                _expectFulfilFails(
                    t, filled, b, ITaskMarket.TaskMarketOutputNotPacked.selector, "front-run with the payee pre-filled"
                );
            }
        } else {
            // A prover below the minimum stake can neither fulfil an unlocked task nor lock one.
            if (t.prover != address(0)) return;
            address x;
            for (uint256 k; k < _provers.length; ++k) {
                if (!_eligible(_provers[k])) x = _provers[k];
            }
            if (x == address(0)) return;
            _arm(t, out, x);
            _expectFulfilFails(t, out, x, ITaskMarket.TaskMarketNotEligible.selector, "ineligible prover fulfilled");
        }
        _ok(A_WRONG);
    }

    /// @notice A requester (or, one time in three, anyone) asks to cancel an open task; then some time passes and
    ///         an honest prover may try to fulfil it, which must succeed during the notice and fail once it is due.
    function requestCancel(uint256 callerSeed, uint256 taskSeed, uint256 wait) external {
        _begin(A_REQUEST_CANCEL);
        bool found;
        uint256 i;
        if (wait % 4 == 0 && _open.length != 0) (found, i) = _pick(taskSeed, ANY);
        else (found, i) = _lockable(taskSeed);
        if (!found) return;
        address caller = callerSeed % 3 != 0 ? _open[i].requester : _account(callerSeed);
        if (!_tryRequestCancel(i, caller)) return;
        _ok(A_REQUEST_CANCEL);
        // Just before, at, or after the notice ends (or not at all), then a fulfil attempt.
        uint256 mode = (wait >> 4) % 4;
        if (mode == 3) return;
        skip(
            mode == 0
                ? _bound(wait >> 8, 0, CANCEL_NOTICE - 1)
                : CANCEL_NOTICE + (mode - 1) * _bound(wait >> 8, 0, 1200)
        );
        address p = _proverFor(callerSeed, 0);
        if (p != address(0) && !_expired(_open[i])) _tryFulfil(i, p, wait);
    }

    /// @notice Anyone cancels an open task, sometimes right when its cancellation falls due.
    function cancelTask(uint256 callerSeed, uint256 taskSeed, uint256 wait) external {
        _begin(A_CANCEL);
        if (_open.length == 0) return;
        (, uint256 i) = _pick(taskSeed, wait % 4 == 0 ? ANY : UNLOCKED);
        bytes32 id = _id(_open[i]);
        if (wait % 2 == 0 && ghostCancelDue[id] != 0 && !ghostPaused) {
            uint256 dueAt = market.cancelDueAt(id);
            // One second early (must fail unless expired), or on time.
            if (dueAt > block.timestamp) vm.warp(dueAt - (wait % 3 == 0 ? 1 : 0));
        }
        address caller = callerSeed % 2 == 0 ? _open[i].requester : _account(callerSeed);
        if (_tryCancel(i, caller)) _ok(A_CANCEL);
    }

    /// @notice Someone (an honest requester or a self-dealer's) outbids an open task; sometimes too low, or a
    ///         locked one, which must fail.
    function outbidTask(uint256 fromSeed, uint256 taskSeed, uint256 seed) external {
        _begin(A_OUTBID);
        if (_open.length == 0) return;
        (, uint256 i) = _pick(taskSeed, seed % 5 == 0 ? ANY : UNLOCKED);
        uint256 n = _requesters.length + _sybils.length;
        uint256 k = fromSeed % n;
        address from = k < _requesters.length ? _requesters[k] : _sybils[k - _requesters.length];
        ITaskMarket.Offer memory o = _offer(seed, seed % 2 == 0);
        uint256 needed = uint256(_open[i].bounty) + uint256(_open[i].bounty) * MIN_OUTBID_BPS / 10_000;
        // The whole new ramp must pay more: its lowest price at least `needed` (one below, one time in six).
        o.minPrice = seed % 6 == 0 ? needed - 1 : needed + (seed >> 100) % needed;
        o.bounty = o.rampDelay == 0 && o.rampPeriod == 0 ? o.minPrice : o.minPrice + (seed >> 120) % needed;
        if (_tryOutbid(i, from, o)) _ok(A_OUTBID);
    }

    /// @notice Slashes a locked task: often after warping past its effective deadline, sometimes before (must
    ///         fail), while paused (must fail), or by the self-dealer's requester on its own prover's task.
    function slash(uint256 callerSeed, uint256 taskSeed, uint256 wait) external {
        _begin(A_SLASH);
        (bool found, uint256 i) = _pick(taskSeed, wait % 5 == 0 ? ANY : LOCKED);
        if (!found) {
            (found, i) = _lockable(taskSeed);
            if (!found) return;
            address p = _proverFor(wait, _open[i].collateral);
            if (p == address(0) || !_tryLock(i, p)) return;
        }
        ITaskMarket.Task memory t = _open[i];
        address caller = _inSybilGroup[t.requester] && callerSeed % 2 == 0 ? t.requester : _honestAccount(callerSeed);
        uint256 effective = _effectiveDeadline(t);
        if (wait % 4 == 1 && !ghostPaused && !_expired(t)) {
            // A pause moves the deadline: slashing between the posted deadline and the effective one must fail.
            if (t.deadline == effective) _pauseFor(_bound(wait >> 16, 1, 2 hours));
            effective = _effectiveDeadline(t);
        }
        if (wait % 4 == 1 && t.deadline < effective && block.timestamp < effective) {
            // Between the posted deadline and the effective one (a pause moved it): must fail.
            uint256 from = block.timestamp > t.deadline ? block.timestamp : uint256(t.deadline) + 1;
            vm.warp(_bound(wait >> 8, from, effective));
        } else if (!_expired(t) && wait % 4 != 0) {
            vm.warp(_effectiveDeadline(t) + 1 + _bound(wait >> 8, 0, 2 hours));
        }
        if (_trySlash(i, caller)) _ok(A_SLASH);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A lockable task from `seed` on, posting a fresh one if there is none.
    function _lockable(uint256 seed) internal returns (bool, uint256) {
        (bool found, uint256 i) = _pick(seed, LOCKABLE);
        if (found) return (true, i);
        uint256 h = uint256(keccak256(abi.encode(seed, _nonce)));
        if (!_tryPost(
                _requesters[h % _requesters.length], _models[(h >> 8) % _models.length], _offer(h, h % 2 == 0), true
            )) {
            return (false, 0);
        }
        return (true, _open.length - 1);
    }

    /// @dev Sometimes warps to a random point of `t`'s ramp (never past its effective deadline).
    function _warpIntoRamp(ITaskMarket.Task memory t, uint256 seed) internal {
        if (seed % 3 == 0 || t.rampEnd <= block.timestamp) return;
        uint256 target = _bound(seed >> 2, block.timestamp, uint256(t.rampEnd) + 1);
        if (target < _effectiveDeadline(t)) vm.warp(target);
    }

    function _expectFulfilFails(
        ITaskMarket.Task memory t,
        uint256[] memory out,
        address from,
        bytes4 expected,
        string memory what
    ) internal {
        vm.prank(from);
        try market.fulfil(t, out, _proof) {
            _violation(what);
        } catch (bytes memory err) {
            _expectError(err, expected, what);
        }
    }

    function _copyWords(uint256[] memory w) internal pure returns (uint256[] memory c) {
        c = new uint256[](w.length);
        for (uint256 k; k < w.length; ++k) {
            c[k] = w[k];
        }
    }
}
