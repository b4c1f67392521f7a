// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMarketGovernance} from "../interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IRewards} from "../interfaces/IRewards.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/// @title MarketStorage
/// @notice Every storage variable of the market, in one place, ordered for gas: a fulfilment touches the
///         shared "hot" slot (pause flag, epoch pointer, units of the open epoch), the statement slot, the
///         prover's stake slot and the prover's reward slot, and nothing else.
/// @dev `_nextEpoch` and `_currentUnits` pack into the slot that holds Pausable's `_paused`.
abstract contract MarketStorage is AccessControlDefaultAdminRules, Pausable, ReentrancyGuardTransient {
    /// @dev The lowest epoch not yet finalized (hot slot, with the pause flag).
    uint32 internal _nextEpoch;

    /// @dev Work units recorded in epoch `_nextEpoch` so far (hot slot; moved to `_epochs` when it is finalized).
    uint64 internal _currentUnits;

    /// @dev Market parameters (two slots; `minStake` is in the first).
    IMarketGovernance.Params internal _params;

    /// @dev Prover => stake account (one slot).
    mapping(address prover => IStaking.Account) internal _accounts;

    /// @dev Prover => unbonding stake.
    mapping(address prover => Unbonding) internal _unbonding;

    /// @dev Account => claimable credit and its pending work (one slot).
    mapping(address account => RewardAccount) internal _rewards;

    /// @dev Epoch => accounting (one slot).
    mapping(uint256 epoch => IRewards.Epoch) internal _epochs;

    /// @dev Epoch => emission already settled to provers (for dust accounting).
    mapping(uint256 epoch => uint256) internal _epochPaid;

    /// @dev Statement id => record: 0 (none), an open task hash (top bit clear) or VERIFIED | output[0].
    mapping(bytes32 statementId => uint256) internal _records;

    /// @dev Statement id => output words after the first (multi-word outputs only).
    mapping(bytes32 statementId => uint256[]) internal _extraOutput;

    /// @dev Emission pool not yet allocated to an epoch, and emission carried over from epochs without work.
    uint128 internal _pool;
    uint128 internal _carry;

    /// @dev Emission allocated to each finalized epoch with work.
    uint256 internal _emissionPerEpoch;

    /// @dev Sum of all active and unbonding stake.
    uint256 internal _totalStaked;

    /// @dev Receives the treasury share of slashes.
    address internal _treasury;

    /// @dev Unbonding stake of a prover.
    struct Unbonding {
        uint96 amount;
        uint64 releaseAt;
    }

    /// @dev Claimable credit of an account and the work it had verified in its last working epoch.
    struct RewardAccount {
        uint128 credit;
        uint32 workEpoch;
        uint96 workUnits;
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
    /// @param epochLength_ Epoch length in seconds (> 0).
    /// @param admin Initial admin (two-step transfer after `adminDelay` seconds).
    /// @param adminDelay Delay of an admin transfer.
    constructor(IERC20 token_, IModelRegistry registry_, uint256 epochLength_, address admin, uint48 adminDelay)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        _token = token_;
        _registry = registry_;
        _genesis = block.timestamp;
        _epochLength = epochLength_;
    }

    /// @dev The current epoch number.
    function _epochNow() internal view returns (uint256) {
        return (block.timestamp - _genesis) / _epochLength;
    }
}
