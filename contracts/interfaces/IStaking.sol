// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IStaking
/// @notice ERC-20 staking for provers: stake, request unstake, withdraw after an unbonding delay.
interface IStaking {
    /// @notice Emitted when `prover` stakes `amount`.
    event Staked(address indexed prover, uint256 amount, uint256 newStake);
    /// @notice Emitted when `prover` moves `amount` from active stake to unbonding.
    event UnstakeRequested(address indexed prover, uint256 amount, uint64 releaseAt);
    /// @notice Emitted when `prover` withdraws unbonded tokens.
    event Withdrawn(address indexed prover, uint256 amount);

    /// @notice Amount must be non-zero.
    error StakingZeroAmount();
    /// @notice Not enough active stake for the request.
    error StakingInsufficientStake(uint256 have, uint256 need);
    /// @notice Nothing is unbonding for the caller.
    error StakingNothingToWithdraw();
    /// @notice The unbonding delay has not elapsed.
    error StakingStillUnbonding(uint64 releaseAt, uint64 nowTs);

    /// @notice Stakes `amount` tokens (requires prior ERC-20 approval).
    function stake(uint256 amount) external;
    /// @notice Moves `amount` of active stake to unbonding; it is released after the unbonding delay.
    /// @dev A new request adds to any pending unbonding amount and restarts its timer.
    function requestUnstake(uint256 amount) external;
    /// @notice Withdraws the caller's unbonded tokens once the delay has passed.
    function withdraw() external returns (uint256 amount);

    /// @notice Active stake of `prover` (excludes unbonding tokens).
    function stakeOf(address prover) external view returns (uint256);
    /// @notice Unbonding amount of `prover` and when it can be withdrawn.
    function unbondingOf(address prover) external view returns (uint256 amount, uint64 releaseAt);
    /// @notice True iff `prover`'s active stake is at least `minStake()`.
    function isEligible(address prover) external view returns (bool);
    /// @notice Minimum active stake required to submit proofs.
    function minStake() external view returns (uint256);
    /// @notice Seconds between an unstake request and withdrawal.
    function unbondingDelay() external view returns (uint64);
    /// @notice The staked ERC-20 token.
    function token() external view returns (address);
    /// @notice Sum of all active and unbonding stake held by the contract.
    function totalStaked() external view returns (uint256);
}
