// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRewards
/// @notice Protocol emissions per epoch, shared among provers in proportion to the protocol fees their
///         fulfilments paid in that epoch, plus everything else the market owes an account (bounties, refunds,
///         slash shares, the treasury's fees), paid by a pull-based `claim`.
/// @dev Self-dealing cannot farm emissions: an epoch's emission is at most the fees paid in it, and each prover
///      gets `emission * itsFees / epochFees <= itsFees`, while fees go to the treasury and are never returned to
///      requester or prover. Whatever the number of addresses, a prover earns in emissions at most what its
///      tasks paid in fees.
///
///      An epoch is finalized lazily, by the first work recorded in a later epoch or by `finalizeEpochs`. Its
///      emission is `min(rate + carry, unallocated pool, fees of the epoch)`; the fees are credited to the
///      treasury. An epoch without work adds its rate to the carry, which is capped at `MAX_CARRY_EPOCHS` times the
///      rate (what is not carried stays in the pool, nothing is lost). A new rate applies from the epoch after
///      the one in which it is set. Shares are floored; the dust of a fully settled epoch can be recycled into
///      the pool. Total paid never exceeds total funded.
interface IRewards {
    /// @notice An epoch's accounting.
    /// @param fees Protocol fees paid by the epoch's fulfilments (the weights of its emission).
    /// @param settledFees Part of `fees` whose emission share has been settled to provers.
    /// @param emission Emission allocated to the epoch.
    struct Epoch {
        uint128 fees;
        uint128 settledFees;
        uint128 emission;
    }

    /// @notice Emitted when `funder` adds `amount` to the emission pool.
    event EmissionsFunded(address indexed funder, uint256 amount);
    /// @notice Emitted when an epoch is finalized with `emission` for `fees` of fees (0 fees: rolled over).
    event EpochFinalized(uint256 indexed epoch, uint256 fees, uint256 emission);
    /// @notice Emitted when a new emission rate is set; it applies from epoch `fromEpoch`.
    event EmissionRateScheduled(uint256 rate, uint256 fromEpoch);
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
    /// @notice The epoch is not finalized, or not all its fees are settled yet.
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
    /// @notice Emission per epoch in force for the current epoch.
    function emissionPerEpoch() external view returns (uint256);
    /// @notice A scheduled rate and the epoch it applies from (`fromEpoch` 0: none scheduled).
    function scheduledEmission() external view returns (uint256 rate, uint256 fromEpoch);
    /// @notice Cap of the carry, in epochs of emission.
    function MAX_CARRY_EPOCHS() external view returns (uint256);
    /// @notice Epoch length in seconds.
    function epochLength() external view returns (uint256);
}
