// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRewards
/// @notice Protocol emissions per epoch, shared among provers in proportion to the work units they had
///         verified in that epoch, plus everything else the market owes an account (bounties, refunds, slash
///         shares), paid by a pull-based `claim`.
/// @dev An epoch is finalized lazily, by the first work recorded in a later epoch or by `finalizeEpochs`. Its
///      emission is `min(emissionPerEpoch + carry, unallocated pool)`; an epoch without work passes its whole
///      emission on to the next (nothing is lost). Shares are floored; the dust of a fully settled epoch can be
///      recycled into the pool. Total paid never exceeds total funded.
interface IRewards {
    /// @notice An epoch's accounting.
    struct Epoch {
        uint64 units;
        uint64 settledUnits;
        uint128 emission;
    }

    /// @notice Emitted when `funder` adds `amount` to the emission pool.
    event EmissionsFunded(address indexed funder, uint256 amount);
    /// @notice Emitted when an epoch is finalized with `emission` for `units` work units (0 units: rolled over).
    event EpochFinalized(uint256 indexed epoch, uint256 units, uint256 emission);
    /// @notice Emitted when `prover`'s share of a finalized epoch is credited.
    event EmissionSettled(address indexed prover, uint256 indexed epoch, uint256 amount);
    /// @notice Emitted when the undistributed dust of a fully settled epoch returns to the pool.
    event DustRecycled(uint256 indexed epoch, uint256 amount);
    /// @notice Emitted when `account` claims `amount`.
    event Claimed(address indexed account, uint256 amount);

    /// @notice Amount must be non-zero.
    error RewardsZeroAmount();
    /// @notice The caller has nothing to claim.
    error RewardsNothingToClaim(address account);
    /// @notice The epoch is not finalized, or not all its units are settled yet.
    error RewardsEpochNotSettled(uint256 epoch);

    /// @notice Adds `amount` to the emission pool (requires ERC-20 approval).
    function fundEmissions(uint256 amount) external;
    /// @notice Finalizes every epoch that has ended. Anyone may call.
    function finalizeEpochs() external;
    /// @notice Settles the caller's emission share if its epoch is finalized, then pays everything claimable.
    function claim() external returns (uint256 amount);
    /// @notice Credits `prover`'s emission share of a finalized epoch (anyone may call; no payment).
    function settle(address prover) external;
    /// @notice Returns the dust of a fully settled epoch to the pool.
    function recycleDust(uint256 epoch) external;

    /// @notice What `account` could claim now (credited balance plus an unsettled finalized share).
    function claimable(address account) external view returns (uint256);
    /// @notice The current epoch number.
    function currentEpoch() external view returns (uint256);
    /// @notice An epoch's accounting.
    function epochInfo(uint256 epoch) external view returns (Epoch memory);
    /// @notice Emission tokens not yet allocated to an epoch.
    function unallocatedEmissions() external view returns (uint256);
    /// @notice Emission carried into the next finalized epoch from epochs without work.
    function carriedEmission() external view returns (uint256);
    /// @notice Emission per epoch.
    function emissionPerEpoch() external view returns (uint256);
    /// @notice Epoch length in seconds.
    function epochLength() external view returns (uint256);
}
