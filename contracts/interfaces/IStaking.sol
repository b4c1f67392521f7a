// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IStaking
/// @notice ERC-20 staking for provers. Active stake backs task collateral; unstaking goes through an unbonding
///         delay. Unbonding stake counts for nothing (no eligibility, no collateral). Locked collateral stays
///         part of active stake and cannot be unstaked, so every lock is fully slashable; free stake can always
///         be unbonded and withdrawn, paused or not, whatever the state of the prover's locks.
interface IStaking {
    /// @notice A prover's stake (one storage slot).
    /// @param active Stake that backs collateral and eligibility (includes `locked`).
    /// @param locked Part of `active` locked as collateral of unfinished tasks.
    /// @param lockCount Number of tasks whose collateral is locked.
    struct Account {
        uint96 active;
        uint96 locked;
        uint32 lockCount;
    }

    /// @notice Emitted when `prover` stakes `amount`.
    event Staked(address indexed prover, uint256 amount, uint256 newActive);
    /// @notice Emitted when `prover` moves `amount` from active stake to unbonding.
    event UnstakeRequested(address indexed prover, uint256 amount, uint64 releaseAt);
    /// @notice Emitted when `prover` withdraws unbonded tokens.
    event Withdrawn(address indexed prover, uint256 amount);
    /// @notice Emitted when `amount` of `prover`'s stake is locked as collateral until `deadline`.
    event CollateralLocked(address indexed prover, uint256 amount, uint64 deadline);
    /// @notice Emitted when locked collateral is slashed (removed from the prover's stake).
    event CollateralSlashed(address indexed prover, uint256 amount);

    /// @notice Amount must be non-zero.
    error StakingZeroAmount();
    /// @notice Amount exceeds what a stake can hold (uint96).
    error StakingAmountTooLarge(uint256 amount);
    /// @notice Not enough free (active, unlocked) stake for the request.
    error StakingInsufficientFreeStake(uint256 free, uint256 need);
    /// @notice Nothing is unbonding for the caller.
    error StakingNothingToWithdraw();
    /// @notice The unbonding delay has not elapsed.
    error StakingStillUnbonding(uint64 releaseAt, uint64 nowTs);

    /// @notice Stakes `amount` tokens (requires prior ERC-20 approval).
    function stake(uint256 amount) external;
    /// @notice Moves `amount` of free stake to unbonding; withdrawable after the unbonding delay.
    /// @dev A new request adds to the pending amount and restarts its timer.
    function requestUnstake(uint256 amount) external;
    /// @notice Withdraws the caller's unbonded tokens once the delay has passed.
    function withdraw() external returns (uint256 amount);

    /// @notice The stake account of `prover`.
    function accountOf(address prover) external view returns (Account memory);
    /// @notice Active stake of `prover` (includes locked collateral, excludes unbonding).
    function stakeOf(address prover) external view returns (uint256);
    /// @notice Active stake not locked as collateral.
    function freeStakeOf(address prover) external view returns (uint256);
    /// @notice Unbonding amount of `prover` and when it can be withdrawn.
    function unbondingOf(address prover) external view returns (uint256 amount, uint64 releaseAt);
    /// @notice True iff `prover`'s active stake is at least `minStake()` (and non-zero).
    function isEligible(address prover) external view returns (bool);
    /// @notice Minimum active stake to take work.
    function minStake() external view returns (uint256);
    /// @notice Seconds between an unstake request and withdrawal.
    function unbondingDelay() external view returns (uint64);
    /// @notice The staked ERC-20 token (also the bounty and reward token).
    function token() external view returns (address);
    /// @notice Sum of all active and unbonding stake.
    function totalStaked() external view returns (uint256);
}
