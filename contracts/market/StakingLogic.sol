// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IStaking} from "../interfaces/IStaking.sol";
import {MarketStorage} from "./MarketStorage.sol";

/// @title StakingLogic
/// @notice Collateral locks that tasks take, release and slash, and prover eligibility.
/// @dev Collateral is part of active stake and cannot be unstaked, so a lock is always fully slashable whatever
///      the prover does with the rest; nothing else about a lock (deadlines, overdue tasks) restricts its stake.
abstract contract StakingLogic is MarketStorage {
    /// @dev True iff `prover` may take work: active stake at least the minimum, and non-zero.
    function _isEligible(address prover) internal view returns (bool) {
        uint256 active = _accounts[prover].active;
        return active >= _params.minStake && active != 0;
    }

    /// @dev Locks `amount` of `prover`'s free stake. Reverts if the free stake is short.
    function _lockCollateral(address prover, uint96 amount, uint256 deadline) internal {
        IStaking.Account memory a = _accounts[prover];
        uint256 free = a.active - a.locked;
        if (amount > free) revert IStaking.StakingInsufficientFreeStake(free, amount);
        a.locked += amount;
        a.lockCount += 1;
        _accounts[prover] = a;
        emit IStaking.CollateralLocked(prover, amount, uint64(deadline));
    }

    /// @dev Releases `amount` of a prover's locked collateral (its task was fulfilled; the OutputVerified event of
    ///      a locked task records it, so no separate event is spent on the gas-critical path).
    function _releaseCollateral(address prover, uint96 amount) internal {
        IStaking.Account memory a = _accounts[prover];
        a.locked -= amount;
        a.lockCount -= 1;
        _accounts[prover] = a;
    }

    /// @dev Releases `count` collaterals of `prover` summing to `amount` (a batch of fulfilments).
    function _releaseCollaterals(address prover, uint256 amount, uint256 count) internal {
        IStaking.Account memory a = _accounts[prover];
        // Casting is safe: amount and count sum collaterals and locks held in `a` (uint96 and uint32), so they are
        // at most a.locked and a.lockCount, and the checked subtractions below cannot underflow.
        // forge-lint: disable-next-line(unsafe-typecast)
        a.locked -= uint96(amount);
        // forge-lint: disable-next-line(unsafe-typecast)
        a.lockCount -= uint32(count);
        _accounts[prover] = a;
    }

    /// @dev Removes `amount` of locked collateral from `prover`'s stake; the caller distributes it.
    function _slashCollateral(address prover, uint96 amount) internal {
        IStaking.Account memory a = _accounts[prover];
        a.active -= amount;
        a.locked -= amount;
        a.lockCount -= 1;
        _accounts[prover] = a;
        _totalStaked -= amount;
        emit IStaking.CollateralSlashed(prover, amount);
    }
}
