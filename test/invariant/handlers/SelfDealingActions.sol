// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ITaskMarket} from "../../../contracts/interfaces/ITaskMarket.sol";
import {MarketTaskOps} from "./MarketTaskOps.sol";

/// @notice The self-dealer: one staked prover (`sybilProver`) with up to MAX_SYBILS requester addresses (created
///         as the run goes) that post tasks of random sizes, ramps and deadlines, which the prover then locks and
///         fulfils itself to farm emissions. Its tokens in and out are tracked: every token the group ever holds
///         is minted to it by this handler (`ghostSybilMinted`), so its profit is what it holds, can claim and has
///         staked, less what it was minted (invariant (a): never positive).
/// @dev The self-dealer never works for others (its income would then not be self-dealing); others may fulfil
///      its unlocked tasks, outbid them, or slash its overdue locks, which can only cost the group.
abstract contract SelfDealingActions is MarketTaskOps {
    uint256 internal constant A_SYBIL_POST = 25;
    uint256 internal constant A_SYBIL_LOCK = 26;
    uint256 internal constant A_SYBIL_FULFIL = 27;

    /// @notice A self-dealer's requester (sometimes a new one) posts a task for the self-dealer.
    function sybilPost(uint256 who, uint256 modelSeed, uint256 seed) external {
        _begin(A_SYBIL_POST);
        address r = _sybil(who);
        if (!_tryPost(r, _models[modelSeed % _models.length], _offer(seed, seed % 3 != 0), seed % 2 == 0)) return;
        _ok(A_SYBIL_POST);
        // Often the self-dealer takes it at once, unlocked, at the ramp's opening price.
        if ((seed >> 4) % 2 == 0) {
            _readySybil(0);
            _tryFulfil(_open.length - 1, sybilProver, seed);
        }
    }

    /// @notice The self-dealer locks one of its requesters' tasks, at a random point of the ramp.
    function sybilLock(uint256 taskSeed, uint256 wait) external {
        _begin(A_SYBIL_LOCK);
        (bool found, uint256 i) = _sybilTask(taskSeed);
        if (!found) return;
        ITaskMarket.Task memory t = _open[i];
        if (wait % 2 == 0 && t.rampEnd > block.timestamp) {
            uint256 target = _bound(wait >> 1, block.timestamp, t.rampEnd);
            if (target < _effectiveDeadline(t)) vm.warp(target);
        }
        _readySybil(t.collateral);
        if (_tryLock(i, sybilProver)) _ok(A_SYBIL_LOCK);
    }

    /// @notice The self-dealer fulfils one of its requesters' tasks (locked by it, or unlocked at the ramp price).
    function sybilFulfil(uint256 taskSeed, uint256 outSeed) external {
        _begin(A_SYBIL_FULFIL);
        (bool found, uint256 i) = _pick(taskSeed, SYBIL_LOCKED);
        if (!found || outSeed % 3 == 0) (found, i) = _sybilTask(taskSeed);
        if (!found) return;
        if (_open[i].prover == address(0)) _readySybil(0);
        if (_tryFulfil(i, sybilProver, outSeed)) _ok(A_SYBIL_FULFIL);
    }

    /// @notice The self-dealer's requesters.
    function sybils() external view returns (address[] memory) {
        return _sybils;
    }

    /// @dev A self-dealer's requester from `seed`: one more (up to MAX_SYBILS) when `seed` points past the last.
    function _sybil(uint256 seed) internal returns (address r) {
        uint256 n = _sybils.length;
        uint256 k = seed % (n + 1);
        if (k < n) return _sybils[k];
        if (n == MAX_SYBILS) return _sybils[seed % n];
        r = address(uint160(uint256(keccak256(abi.encode("sybil requester", n)))));
        _sybils.push(r);
        _inSybilGroup[r] = true;
        _addAccount(r, false);
    }

    /// @dev An unlocked task of the group, posting one if there is none.
    function _sybilTask(uint256 seed) internal returns (bool, uint256) {
        (bool found, uint256 i) = _pick(seed, SYBIL_UNLOCKED);
        if (found) return (true, i);
        uint256 h = uint256(keccak256(abi.encode("sybil", seed, _nonce)));
        if (!_tryPost(_sybil(h), _models[(h >> 8) % _models.length], _offer(h >> 16, h % 2 == 0), true)) {
            return (false, 0);
        }
        return (true, _open.length - 1);
    }

    /// @dev Tops the self-dealer's stake up (when staking is open) so it is eligible with `collateral` free.
    function _readySybil(uint256 collateral) internal {
        if (ghostPaused) return;
        if (_eligible(sybilProver) && market.freeStakeOf(sybilProver) >= collateral) return;
        _topUp(sybilProver, collateral);
    }
}
