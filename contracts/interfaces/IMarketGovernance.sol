// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMarketGovernance
/// @notice Roles and bounded parameters of the market. The admin (two-step transfer with a delay, OpenZeppelin
///         AccessControlDefaultAdminRules) sets market parameters and may pause; the treasury role sets
///         emissions and the treasury address. Every change is bounded and emits ParameterChanged.
interface IMarketGovernance {
    /// @notice Market parameters.
    /// @param minStake Minimum active stake to take work.
    /// @param minBounty Minimum bounty of a task (also deters self-dealing for emissions).
    /// @param minCollateral Minimum collateral a task may ask for.
    /// @param unbondingDelay Seconds from an unstake request to withdrawal.
    /// @param minTaskDuration Shortest allowed time from posting to deadline.
    /// @param maxTaskDuration Longest allowed time from posting to deadline.
    /// @param slashRequesterBps Share of slashed collateral credited to the requester.
    /// @param slashCallerBps Share of slashed collateral credited to whoever calls `slash`.
    /// @param slashBurnBps Share burned (sent to 0x…dEaD); the rest is credited to the treasury.
    struct Params {
        uint96 minStake;
        uint96 minBounty;
        uint96 minCollateral;
        uint32 unbondingDelay;
        uint32 minTaskDuration;
        uint32 maxTaskDuration;
        uint16 slashRequesterBps;
        uint16 slashCallerBps;
        uint16 slashBurnBps;
    }

    /// @notice Emitted when a parameter changes (`name` is the parameter's name as bytes32).
    event ParameterChanged(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice Emitted when the treasury address changes.
    event TreasuryChanged(address oldTreasury, address newTreasury);

    /// @notice A parameter is outside its bounds.
    error MarketGovernanceOutOfBounds(bytes32 name, uint256 value, uint256 max);
    /// @notice The treasury must be a non-zero address.
    error MarketGovernanceZeroTreasury();

    /// @notice Sets all market parameters at once (admin). Each is checked against its bound.
    function setParams(Params calldata params) external;
    /// @notice Sets the emission per epoch (treasury role; at most MAX_EMISSION_PER_EPOCH).
    function setEmissionPerEpoch(uint256 amount) external;
    /// @notice Sets the treasury address (treasury role).
    function setTreasury(address treasury) external;
    /// @notice Pauses posting, locking, fulfilling and staking (admin). Claims, withdrawals, slashes and
    ///         cancellations stay open so no funds are trapped.
    function pause() external;
    /// @notice Lifts a pause (admin).
    function unpause() external;

    /// @notice Current market parameters.
    function params() external view returns (Params memory);
    /// @notice Where the treasury share of slashes is credited.
    function treasury() external view returns (address);
    /// @notice The model registry tasks are checked against.
    function registry() external view returns (address);
    /// @notice Role allowed to set emissions and the treasury.
    function TREASURY_ROLE() external view returns (bytes32);
}
