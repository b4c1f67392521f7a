// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {MarketStorage} from "./MarketStorage.sol";

/// @title StakingModule
/// @notice Prover stakes: stake, request unstake, withdraw after the unbonding delay, and collateral locks that
///         tasks take, release and slash. Balances are internal, so tokens sent to the market directly (a
///         donation) change nothing.
/// @dev Collateral is part of active stake and cannot be unstaked, so a lock is always fully slashable, whether
///      or not its prover has started unbonding the rest. While a locked task is past its deadline (a slash is
///      pending) neither `requestUnstake` nor `withdraw` moves anything.
abstract contract StakingModule is IStaking, MarketStorage {

    /// @inheritdoc IStaking
    function stake(uint256 amount) external nonReentrant whenNotPaused {
        if (amount == 0) revert StakingZeroAmount();
        Account storage account = _accounts[msg.sender];
        uint256 active = uint256(account.active) + amount;
        if (active > type(uint96).max) revert StakingAmountTooLarge(amount);

        account.active = uint96(active);
        _totalStaked += amount;
        emit Staked(msg.sender, amount, active);
        SafeERC20.safeTransferFrom(_token, msg.sender, address(this), amount);
    }

    /// @inheritdoc IStaking
    function requestUnstake(uint256 amount) external nonReentrant {
        if (amount == 0) revert StakingZeroAmount();
        Account storage account = _accounts[msg.sender];
        _requireNoSlashPending(msg.sender, account);
        uint256 free = account.active - account.locked;
        if (amount > free) revert StakingInsufficientFreeStake(free, amount);

        account.active -= uint96(amount);
        Unbonding storage unbonding = _unbonding[msg.sender];
        unbonding.amount += uint96(amount);
        uint64 releaseAt = uint64(block.timestamp) + _params.unbondingDelay;
        unbonding.releaseAt = releaseAt;
        emit UnstakeRequested(msg.sender, amount, releaseAt);
    }

    /// @inheritdoc IStaking
    function withdraw() external nonReentrant returns (uint256 amount) {
        _requireNoSlashPending(msg.sender, _accounts[msg.sender]);
        Unbonding memory unbonding = _unbonding[msg.sender];
        amount = unbonding.amount;
        if (amount == 0) revert StakingNothingToWithdraw();
        if (block.timestamp < unbonding.releaseAt) {
            revert StakingStillUnbonding(unbonding.releaseAt, uint64(block.timestamp));
        }

        delete _unbonding[msg.sender];
        _totalStaked -= amount;
        emit Withdrawn(msg.sender, amount);
        SafeERC20.safeTransfer(_token, msg.sender, amount);
    }

    /// @inheritdoc IStaking
    function accountOf(address prover) external view returns (Account memory) {
        return _accounts[prover];
    }

    /// @inheritdoc IStaking
    function stakeOf(address prover) external view returns (uint256) {
        return _accounts[prover].active;
    }

    /// @inheritdoc IStaking
    function freeStakeOf(address prover) external view returns (uint256) {
        Account memory account = _accounts[prover];
        return account.active - account.locked;
    }

    /// @inheritdoc IStaking
    function unbondingOf(address prover) external view returns (uint256 amount, uint64 releaseAt) {
        Unbonding memory unbonding = _unbonding[prover];
        return (unbonding.amount, unbonding.releaseAt);
    }

    /// @inheritdoc IStaking
    function isEligible(address prover) public view returns (bool) {
        Account memory account = _accounts[prover];
        return account.active >= _params.minStake && account.active != 0 && !_slashPending(account);
    }

    /// @inheritdoc IStaking
    function slashPending(address prover) external view returns (bool) {
        return _slashPending(_accounts[prover]);
    }

    /// @inheritdoc IStaking
    function minStake() external view returns (uint256) {
        return _params.minStake;
    }

    /// @inheritdoc IStaking
    function unbondingDelay() external view returns (uint64) {
        return _params.unbondingDelay;
    }

    /// @inheritdoc IStaking
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IStaking
    function totalStaked() external view returns (uint256) {
        return _totalStaked;
    }

    /// @dev Locks `amount` of `prover`'s free stake until `deadline`. Reverts if the free stake is short.
    function _lockCollateral(address prover, uint96 amount, uint32 deadline) internal {
        Account storage account = _accounts[prover];
        Account memory a = account;
        uint256 free = a.active - a.locked;
        if (amount > free) revert StakingInsufficientFreeStake(free, amount);
        if (a.lockCount == 0 || deadline < a.earliestDeadline) a.earliestDeadline = deadline;
        a.locked += amount;
        a.lockCount += 1;
        _accounts[prover] = a;
        emit CollateralLocked(prover, amount, deadline);
    }

    /// @dev Releases `amount` of a prover's locked collateral (its task was fulfilled; the OutputVerified event of
    ///      a locked task records it, so no separate event is spent on the gas-critical path).
    function _releaseCollateral(address prover, uint96 amount) internal {
        Account memory a = _accounts[prover];
        a.locked -= amount;
        a.lockCount -= 1;
        if (a.lockCount == 0) a.earliestDeadline = 0;
        _accounts[prover] = a;
    }

    /// @dev Removes `amount` of locked collateral from `prover`'s stake; the caller distributes it.
    function _slashCollateral(address prover, uint96 amount) internal {
        Account storage account = _accounts[prover];
        Account memory a = account;
        a.active -= amount;
        a.locked -= amount;
        a.lockCount -= 1;
        if (a.lockCount == 0) a.earliestDeadline = 0;
        _accounts[prover] = a;
        _totalStaked -= amount;
        emit CollateralSlashed(prover, amount);
    }

    /// @dev True iff some lock of `account` may be past its deadline.
    function _slashPending(Account memory account) internal view returns (bool) {
        return account.lockCount != 0 && block.timestamp > account.earliestDeadline;
    }

    function _requireNoSlashPending(address prover, Account storage account) private view {
        Account memory a = account;
        if (_slashPending(a)) revert StakingSlashPending(prover, a.earliestDeadline);
    }
}

