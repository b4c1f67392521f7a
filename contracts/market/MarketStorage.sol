// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/// @title MarketStorage
/// @notice Every storage variable of the market, in one place, ordered for gas, and the market's two clocks: the
///         epoch clock and the pause clock. `MlproofMarket` and `MarketExtension` both inherit it first, so the
///         extension, running by delegatecall, sees the same layout (its AccessControl state comes after).
/// @dev A fulfilment touches the shared "hot" slot (pause state, epoch pointer, fees of the open epoch), the
///      statement slot, the prover's stake slot and the prover's reward slot (and the cancel slot of an unlocked
///      task), and nothing else.
abstract contract MarketStorage is ReentrancyGuardTransient {
    /// @dev Hot slot: pause flag, epoch pointer, fees of the open epoch, and the pause clock.
    // Reason: written only by MarketExtension (pause, setParams, setTreasury, initialize), which runs by
    // delegatecall on this storage; slither analyses MlproofMarket alone and cannot see those writes.
    // slither-disable-next-line uninitialized-state
    bool internal _paused;
    /// @dev The lowest epoch not yet finalized.
    uint32 internal _nextEpoch;
    /// @dev Protocol fees recorded in epoch `_nextEpoch` so far (moved to `_epochs` when it is finalized).
    uint128 internal _currentFees;
    /// @dev Seconds spent paused before the current pause.
    // Reason: written only by MarketExtension (pause, setParams, setTreasury, initialize), which runs by
    // delegatecall on this storage; slither analyses MlproofMarket alone and cannot see those writes.
    // slither-disable-next-line uninitialized-state
    uint32 internal _pausedSeconds;
    /// @dev Start of the current pause (0 when not paused).
    // Reason: written only by MarketExtension (pause, setParams, setTreasury, initialize), which runs by
    // delegatecall on this storage; slither analyses MlproofMarket alone and cannot see those writes.
    // slither-disable-next-line uninitialized-state
    uint32 internal _pausedAt;

    /// @dev Market parameters (two slots; `minStake` is in the first).
    // Reason: written only by MarketExtension (pause, setParams, setTreasury, initialize), which runs by
    // delegatecall on this storage; slither analyses MlproofMarket alone and cannot see those writes.
    // slither-disable-next-line uninitialized-state
    IMarketGovernance.Params internal _params;

    /// @dev Prover => stake account (one slot).
    mapping(address prover => IStaking.Account) internal _accounts;

    /// @dev Prover => unbonding stake.
    mapping(address prover => Unbonding) internal _unbonding;

    /// @dev Account => claimable credit and its pending fee-weighted work (one slot).
    mapping(address account => RewardAccount) internal _rewards;

    /// @dev Epoch => accounting (two slots).
    mapping(uint256 epoch => IRewards.Epoch) internal _epochs;

    /// @dev Epoch => emission already settled to provers (for dust accounting).
    mapping(uint256 epoch => uint256) internal _epochPaid;

    /// @dev Statement id => record: 0 (none), an open task hash (top bit clear) or VERIFIED | output[0].
    mapping(bytes32 statementId => uint256) internal _records;

    /// @dev Statement id => output words after the first (multi-word outputs only).
    mapping(bytes32 statementId => uint256[]) internal _extraOutput;

    /// @dev Statement id => active time (`_activeNow`) at which a requested cancellation is due (0: none).
    mapping(bytes32 statementId => uint256) internal _cancelAt;

    /// @dev Emission pool not yet allocated to an epoch, and emission carried over from epochs without work.
    uint128 internal _pool;
    uint128 internal _carry;

    /// @dev Emission rate in force, a scheduled rate and the epoch it applies from (0: none scheduled).
    EmissionRate internal _rate;

    /// @dev Sum of all active and unbonding stake.
    uint256 internal _totalStaked;

    /// @dev Receives the treasury share of slashes and the protocol fees.
    // Reason: written only by MarketExtension (pause, setParams, setTreasury, initialize), which runs by
    // delegatecall on this storage; slither analyses MlproofMarket alone and cannot see those writes.
    // slither-disable-next-line uninitialized-state
    address internal _treasury;
    /// @dev Set once by `MarketExtension.initialize` (from the market's constructor).
    bool internal _initialized;
    /// @dev When the last pause was lifted (0: never paused).
    uint32 internal _unpausedAt;

    /// @dev Unbonding stake of a prover.
    struct Unbonding {
        uint96 amount;
        uint64 releaseAt;
    }

    /// @dev Claimable credit of an account and the fees its fulfilments paid in its last working epoch.
    struct RewardAccount {
        uint128 credit;
        uint32 workEpoch;
        uint96 workFees;
    }

    /// @dev The emission rate and a scheduled change (one slot).
    struct EmissionRate {
        uint96 current;
        uint96 scheduled;
        uint32 fromEpoch;
    }

    /// @dev Top bit of a statement record: the output is verified.
    uint256 internal constant VERIFIED = 1 << 255;

    /// @notice The stake, bounty and reward token.
    IERC20 internal immutable _token;
    /// @notice The model registry.
    IModelRegistry internal immutable _registry;
    /// @dev Start of epoch 0 and the epoch length, in seconds.
    uint256 internal immutable _genesis;
    uint256 internal immutable _epochLength;

    /// @param token_ ERC-20 used for stakes, bounties and emissions.
    /// @param registry_ Model registry.
    /// @param genesis_ Start of epoch 0.
    /// @param epochLength_ Epoch length in seconds (> 0).
    constructor(IERC20 token_, IModelRegistry registry_, uint256 genesis_, uint256 epochLength_) {
        _token = token_;
        _registry = registry_;
        _genesis = genesis_;
        _epochLength = epochLength_;
    }

    /// @dev The current epoch number.
    function _epochNow() internal view returns (uint256) {
        return (block.timestamp - _genesis) / _epochLength;
    }

    /// @dev Seconds the market has spent paused, the current pause included.
    function _pauseClockNow() internal view returns (uint256) {
        uint256 clock = _pausedSeconds;
        if (_paused) clock += block.timestamp - _pausedAt;
        return clock;
    }

    /// @dev Wall-clock time minus the pause clock: a clock that stands still while the market is paused. Task
    ///      deadlines and cancel notices run on it.
    function _activeNow() internal view returns (uint256) {
        return block.timestamp - _pauseClockNow();
    }

    /// @dev Reverts while paused.
    function _requireNotPaused() internal view {
        if (_paused) revert IMarketGovernance.EnforcedPause();
    }
}
