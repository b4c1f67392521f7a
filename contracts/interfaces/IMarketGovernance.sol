// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IMarketGovernance
/// @notice Roles and bounded parameters of the market (OpenZeppelin AccessControl). The admin sets market
///         parameters and grants roles; the treasury role sets emissions and the treasury address; the pauser role
///         may pause. Deployed to a public network, the admin and treasury roles are held by a TimelockController
///         (`script/Deploy.s.sol`), so every parameter and role change is announced and delayed. Every change is
///         bounded and emits ParameterChanged.
/// @dev A pause cannot cost anyone funds: it stops posting, locking, fulfilling, staking and slashing, but the
///      deadlines of tasks posted before it are extended by its length (the pause clock), cancel notices stop
///      running, claims and withdrawals stay open, after `MAX_PAUSE` seconds anyone may lift it, and a new pause
///      needs `PAUSE_COOLDOWN` of unpaused time after the last. No role can slash: only a locked task past its deadline is slashed, with the terms fixed when it was locked.
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
    /// @param protocolFeeBps Protocol fee escrowed on top of a bounty and paid to the treasury on fulfilment, in
    ///        basis points of the price (at most `MAX_FEE_BPS`); emissions are weighted by it.
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
        uint16 protocolFeeBps;
    }

    /// @notice Emitted when a parameter changes (`name` is the parameter's name as bytes32).
    event ParameterChanged(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice Emitted when the treasury address changes.
    event TreasuryChanged(address oldTreasury, address newTreasury);
    /// @notice Emitted when `account` pauses the market.
    event Paused(address account);
    /// @notice Emitted when `account` lifts a pause that lasted `duration` seconds.
    event Unpaused(address account, uint256 duration);

    /// @notice A parameter is outside its bounds.
    error MarketGovernanceOutOfBounds(bytes32 name, uint256 value, uint256 max);
    /// @notice The treasury must be a non-zero address.
    error MarketGovernanceZeroTreasury();
    /// @notice The caller may not lift the pause before `MAX_PAUSE` has elapsed (at `liftableAt`).
    error MarketGovernancePauseNotExpired(uint256 liftableAt);
    /// @notice A new pause is refused until `allowedAt` (PAUSE_COOLDOWN after the last one was lifted).
    error MarketGovernancePauseCooldown(uint256 allowedAt);
    /// @notice The market is already initialized (the extension's `initialize` runs once, from the constructor).
    error MarketGovernanceAlreadyInitialized();
    /// @notice The operation is refused while the market is paused (same selector as OpenZeppelin Pausable's).
    error EnforcedPause();
    /// @notice The market is not paused (same selector as OpenZeppelin Pausable's).
    error ExpectedPause();

    /// @notice Sets all market parameters at once (admin). Each is checked against its bound.
    function setParams(Params calldata params) external;
    /// @notice Sets the emission per epoch from the next epoch on (treasury role; at most MAX_EMISSION_PER_EPOCH).
    function setEmissionPerEpoch(uint256 amount) external;
    /// @notice Sets the treasury address (treasury role).
    function setTreasury(address treasury) external;
    /// @notice Pauses posting, locking, fulfilling, staking and slashing (pauser role). Claims, unstaking and
    ///         withdrawals stay open; deadlines and cancel notices stop running.
    function pause() external;
    /// @notice Lifts a pause: the admin or a pauser at any time, anyone once it has lasted `MAX_PAUSE` seconds.
    function unpause() external;

    /// @notice Whether the market is paused.
    function paused() external view returns (bool);
    /// @notice Total seconds the market has spent paused, the current pause included (the pause clock).
    function pauseClock() external view returns (uint256);
    /// @notice Current market parameters.
    function params() external view returns (Params memory);
    /// @notice Where the treasury share of slashes is credited.
    function treasury() external view returns (address);
    /// @notice The model registry tasks are checked against.
    function registry() external view returns (address);
    /// @notice Role allowed to set emissions and the treasury.
    function TREASURY_ROLE() external view returns (bytes32);
    /// @notice Role allowed to pause.
    function PAUSER_ROLE() external view returns (bytes32);
    /// @notice Longest pause only the admin or a pauser may lift.
    function MAX_PAUSE() external view returns (uint256);
    /// @notice Least unpaused time between two pauses.
    function PAUSE_COOLDOWN() external view returns (uint256);
    /// @notice Bound of `protocolFeeBps`.
    function MAX_FEE_BPS() external view returns (uint256);
}
