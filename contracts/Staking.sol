// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IStaking} from "./interfaces/IStaking.sol";

/// @title Staking
/// @notice ERC-20 stake for provers. Active stake makes a prover eligible to submit proofs; unstaking moves
///         tokens to an unbonding balance that can be withdrawn once the unbonding delay has passed.
/// @dev Accounting uses internal totals only, never `token.balanceOf(this)`, so tokens sent directly to the
///      contract (donations) change nothing. Fee-on-transfer and rebasing tokens are not supported.
contract Staking is IStaking, Ownable2Step, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Upper bound for `unbondingDelay`.
    uint64 public constant MAX_UNBONDING_DELAY = 30 days;

    /// @notice Emitted when the owner changes the minimum stake.
    event MinStakeChanged(uint256 oldMinStake, uint256 newMinStake);
    /// @notice Emitted when the owner changes the unbonding delay.
    event UnbondingDelayChanged(uint64 oldDelay, uint64 newDelay);

    /// @notice A parameter is outside its allowed range [min, max].
    /// @param value The rejected value.
    /// @param min Smallest allowed value.
    /// @param max Largest allowed value.
    error StakingParameterOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// @dev Tokens moving to unbonding and the time they can be withdrawn.
    struct Unbonding {
        uint256 amount;
        uint64 releaseAt;
    }

    /// @dev The staked token.
    IERC20 private immutable _token;
    /// @dev Minimum active stake for eligibility; always > 0.
    uint256 private _minStake;
    /// @dev Seconds between an unstake request and withdrawal; at most MAX_UNBONDING_DELAY.
    uint64 private _unbondingDelay;
    /// @dev Sum over all provers of active + unbonding stake.
    uint256 private _totalStaked;
    /// @dev Active stake per prover.
    mapping(address prover => uint256) private _stakes;
    /// @dev Unbonding stake per prover.
    mapping(address prover => Unbonding) private _unbondings;

    /// @notice Deploys the staking contract.
    /// @param stakeToken The ERC-20 staked by provers.
    /// @param initialMinStake Minimum active stake (> 0).
    /// @param initialUnbondingDelay Unbonding delay in seconds (<= MAX_UNBONDING_DELAY).
    /// @param initialOwner Account allowed to change parameters (ownership transfers in two steps).
    constructor(IERC20 stakeToken, uint256 initialMinStake, uint64 initialUnbondingDelay, address initialOwner)
        Ownable(initialOwner)
    {
        _token = stakeToken;
        _setMinStake(initialMinStake);
        _setUnbondingDelay(initialUnbondingDelay);
    }

    /// @inheritdoc IStaking
    /// @dev Reverts with StakingZeroAmount for zero. Pulls `amount` with transferFrom after updating balances.
    function stake(uint256 amount) external nonReentrant {
        if (amount == 0) revert StakingZeroAmount();

        uint256 newStake = _stakes[msg.sender] + amount;
        _stakes[msg.sender] = newStake;
        _totalStaked += amount;
        emit Staked(msg.sender, amount, newStake);

        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IStaking
    /// @dev Reverts with StakingZeroAmount for zero and StakingInsufficientStake above the active stake.
    ///      The new release time is `block.timestamp + unbondingDelay()` for the whole unbonding balance.
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert StakingZeroAmount();
        uint256 have = _stakes[msg.sender];
        if (have < amount) revert StakingInsufficientStake(have, amount);

        // amount <= have was checked just above, so the subtraction cannot underflow.
        unchecked {
            _stakes[msg.sender] = have - amount;
        }
        Unbonding storage unbonding = _unbondings[msg.sender];
        uint64 releaseAt = _now() + _unbondingDelay;
        unbonding.amount += amount;
        unbonding.releaseAt = releaseAt;
        emit UnstakeRequested(msg.sender, amount, releaseAt);
    }

    /// @inheritdoc IStaking
    /// @dev Reverts with StakingNothingToWithdraw when nothing is unbonding and StakingStillUnbonding before the
    ///      release time. Clears the unbonding balance before transferring.
    function withdraw() external nonReentrant returns (uint256 amount) {
        Unbonding storage unbonding = _unbondings[msg.sender];
        amount = unbonding.amount;
        if (amount == 0) revert StakingNothingToWithdraw();
        uint64 nowTs = _now();
        if (nowTs < unbonding.releaseAt) revert StakingStillUnbonding(unbonding.releaseAt, nowTs);

        delete _unbondings[msg.sender];
        // Every unbonding amount was counted in _totalStaked when staked, so _totalStaked >= amount.
        unchecked {
            _totalStaked -= amount;
        }
        emit Withdrawn(msg.sender, amount);

        _token.safeTransfer(msg.sender, amount);
    }

    /// @notice Sets the minimum active stake for eligibility.
    /// @dev Owner only. Reverts with StakingParameterOutOfBounds for zero. Takes effect immediately.
    /// @param newMinStake New minimum (> 0).
    function setMinStake(uint256 newMinStake) external onlyOwner {
        _setMinStake(newMinStake);
    }

    /// @notice Sets the unbonding delay.
    /// @dev Owner only. Reverts with StakingParameterOutOfBounds above MAX_UNBONDING_DELAY. Applies to unstake
    ///      requests made afterwards; pending release times are unchanged.
    /// @param newDelay New delay in seconds.
    function setUnbondingDelay(uint64 newDelay) external onlyOwner {
        _setUnbondingDelay(newDelay);
    }

    /// @inheritdoc IStaking
    function stakeOf(address prover) external view returns (uint256) {
        return _stakes[prover];
    }

    /// @inheritdoc IStaking
    function unbondingOf(address prover) external view returns (uint256 amount, uint64 releaseAt) {
        Unbonding storage unbonding = _unbondings[prover];
        return (unbonding.amount, unbonding.releaseAt);
    }

    /// @inheritdoc IStaking
    function isEligible(address prover) external view returns (bool) {
        return _stakes[prover] >= _minStake;
    }

    /// @inheritdoc IStaking
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    /// @inheritdoc IStaking
    function unbondingDelay() external view returns (uint64) {
        return _unbondingDelay;
    }

    /// @inheritdoc IStaking
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IStaking
    function totalStaked() external view returns (uint256) {
        return _totalStaked;
    }

    /// @dev Validates (> 0), stores and announces the minimum stake.
    function _setMinStake(uint256 newMinStake) private {
        if (newMinStake == 0) revert StakingParameterOutOfBounds(newMinStake, 1, type(uint256).max);
        uint256 old = _minStake;
        _minStake = newMinStake;
        emit MinStakeChanged(old, newMinStake);
    }

    /// @dev Validates (<= MAX_UNBONDING_DELAY), stores and announces the unbonding delay.
    function _setUnbondingDelay(uint64 newDelay) private {
        if (newDelay > MAX_UNBONDING_DELAY) revert StakingParameterOutOfBounds(newDelay, 0, MAX_UNBONDING_DELAY);
        uint64 old = _unbondingDelay;
        _unbondingDelay = newDelay;
        emit UnbondingDelayChanged(old, newDelay);
    }

    /// @dev The block timestamp as uint64 (fits until the year 584,942,417,355).
    function _now() private view returns (uint64) {
        return uint64(block.timestamp);
    }
}
