// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Staking} from "../../../contracts/Staking.sol";
import {MlproofToken} from "../../../contracts/token/MlproofToken.sol";

/// @notice Drives Staking with bounded, mostly-valid calls from a fixed set of actors and keeps ghost sums.
contract StakingHandler is CommonBase, StdCheats, StdUtils {
    Staking public immutable staking;
    MlproofToken public immutable token;

    address[] internal _actors;
    /// @dev Ghost: active stake per actor, as the handler believes it to be.
    mapping(address => uint256) public ghostActive;
    /// @dev Ghost: unbonding amount per actor.
    mapping(address => uint256) public ghostUnbonding;
    uint256 public ghostStaked;
    uint256 public ghostWithdrawn;
    uint256 public ghostDonated;

    constructor(Staking staking_, MlproofToken token_) {
        staking = staking_;
        token = token_;
        for (uint256 i; i < 4; ++i) {
            address actor = makeAddr(string.concat("staker", vm.toString(i)));
            _actors.push(actor);
            vm.prank(actor);
            token.approve(address(staking), type(uint256).max);
        }
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % _actors.length];
    }

    function stake(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = bound(amount, 1, 1_000_000e18);
        token.mint(actor, amount);
        vm.prank(actor);
        staking.stake(amount);
        ghostActive[actor] += amount;
        ghostStaked += amount;
    }

    function requestUnstake(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 active = ghostActive[actor];
        if (active == 0) return;
        amount = bound(amount, 1, active);
        vm.prank(actor);
        staking.requestUnstake(amount);
        ghostActive[actor] -= amount;
        ghostUnbonding[actor] += amount;
    }

    function withdraw(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        (uint256 amount, uint64 releaseAt) = staking.unbondingOf(actor);
        if (amount == 0) return;
        if (vm.getBlockTimestamp() < releaseAt) vm.warp(releaseAt);
        vm.prank(actor);
        uint256 out = staking.withdraw();
        ghostUnbonding[actor] -= out;
        ghostWithdrawn += out;
    }

    function warp(uint256 seconds_) external {
        skip(bound(seconds_, 0, 10 days));
    }

    function donate(uint256 amount) external {
        amount = bound(amount, 1, 1_000e18);
        token.mint(address(staking), amount);
        ghostDonated += amount;
    }

    function setUnbondingDelay(uint256 delay) external {
        vm.prank(staking.owner());
        staking.setUnbondingDelay(uint64(bound(delay, 0, 30 days)));
    }
}
