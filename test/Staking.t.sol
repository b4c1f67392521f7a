// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Staking} from "../contracts/Staking.sol";
import {IStaking} from "../contracts/interfaces/IStaking.sol";
import {MlproofToken} from "../contracts/token/MlproofToken.sol";
import {ReentrantToken} from "./utils/ReentrantToken.sol";

contract StakingTest is Test {
    uint256 internal constant MIN_STAKE = 100e18;
    uint64 internal constant DELAY = 7 days;

    MlproofToken internal token;
    Staking internal staking;

    address internal owner = makeAddr("owner");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        token = new MlproofToken(address(this));
        staking = new Staking(IERC20(address(token)), MIN_STAKE, DELAY, owner);
        _fund(alice, 1_000_000e18);
        _fund(bob, 1_000_000e18);
    }

    function _fund(address who, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(staking), type(uint256).max);
    }

    function _stake(address who, uint256 amount) internal {
        vm.prank(who);
        staking.stake(amount);
    }

    // ---------------------------------------------------------------- constructor and views

    function test_Constructor_SetsParameters() public view {
        assertEq(staking.token(), address(token));
        assertEq(staking.minStake(), MIN_STAKE);
        assertEq(staking.unbondingDelay(), DELAY);
        assertEq(staking.owner(), owner);
        assertEq(staking.totalStaked(), 0);
        assertEq(staking.MAX_UNBONDING_DELAY(), 30 days);
    }

    function test_Constructor_EmitsParameterEvents() public {
        vm.expectEmit(false, false, false, true);
        emit Staking.MinStakeChanged(0, MIN_STAKE);
        vm.expectEmit(false, false, false, true);
        emit Staking.UnbondingDelayChanged(0, DELAY);
        new Staking(IERC20(address(token)), MIN_STAKE, DELAY, owner);
    }

    function test_RevertWhen_Constructor_ZeroMinStake() public {
        vm.expectRevert(abi.encodeWithSelector(Staking.StakingParameterOutOfBounds.selector, 0, 1, type(uint256).max));
        new Staking(IERC20(address(token)), 0, DELAY, owner);
    }

    function test_RevertWhen_Constructor_DelayTooLong() public {
        vm.expectRevert(abi.encodeWithSelector(Staking.StakingParameterOutOfBounds.selector, 30 days + 1, 0, 30 days));
        new Staking(IERC20(address(token)), MIN_STAKE, 30 days + 1, owner);
    }

    function test_RevertWhen_Constructor_ZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new Staking(IERC20(address(token)), MIN_STAKE, DELAY, address(0));
    }

    // ---------------------------------------------------------------- stake

    function test_Stake_UpdatesBalancesAndEmits() public {
        vm.expectEmit(true, false, false, true, address(staking));
        emit IStaking.Staked(alice, 60e18, 60e18);
        _stake(alice, 60e18);
        vm.expectEmit(true, false, false, true, address(staking));
        emit IStaking.Staked(alice, 40e18, 100e18);
        _stake(alice, 40e18);

        assertEq(staking.stakeOf(alice), 100e18);
        assertEq(staking.totalStaked(), 100e18);
        assertEq(token.balanceOf(address(staking)), 100e18);
        assertEq(token.balanceOf(alice), 1_000_000e18 - 100e18);
    }

    function testFuzz_Stake(uint256 a, uint256 b) public {
        a = bound(a, 1, 1_000_000e18);
        b = bound(b, 1, 1_000_000e18);
        _stake(alice, a);
        _stake(bob, b);
        assertEq(staking.stakeOf(alice), a);
        assertEq(staking.stakeOf(bob), b);
        assertEq(staking.totalStaked(), a + b);
        assertEq(token.balanceOf(address(staking)), a + b);
        assertEq(staking.isEligible(alice), a >= MIN_STAKE);
    }

    function test_RevertWhen_Stake_ZeroAmount() public {
        vm.expectRevert(IStaking.StakingZeroAmount.selector);
        _stake(alice, 0);
    }

    function test_RevertWhen_Stake_NoAllowance() public {
        address carol = makeAddr("carol");
        token.mint(carol, 10e18);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(staking), 0, 10e18)
        );
        _stake(carol, 10e18);
    }

    function test_RevertWhen_Stake_InsufficientBalance() public {
        address carol = makeAddr("carol");
        _fund(carol, 1e18);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, carol, 1e18, 2e18));
        _stake(carol, 2e18);
    }

    // ---------------------------------------------------------------- isEligible

    function test_IsEligible_AtThreshold() public {
        assertFalse(staking.isEligible(alice));
        _stake(alice, MIN_STAKE - 1);
        assertFalse(staking.isEligible(alice));
        _stake(alice, 1);
        assertTrue(staking.isEligible(alice));
    }

    function test_IsEligible_UnbondingDoesNotCount() public {
        _stake(alice, MIN_STAKE);
        vm.prank(alice);
        staking.requestUnstake(1);
        assertFalse(staking.isEligible(alice));
        assertEq(staking.totalStaked(), MIN_STAKE);
    }

    // ---------------------------------------------------------------- requestUnstake

    function test_RequestUnstake_MovesToUnbondingAndEmits() public {
        _stake(alice, 300e18);
        uint64 releaseAt = uint64(block.timestamp) + DELAY;
        vm.expectEmit(true, false, false, true, address(staking));
        emit IStaking.UnstakeRequested(alice, 120e18, releaseAt);
        vm.prank(alice);
        staking.requestUnstake(120e18);

        assertEq(staking.stakeOf(alice), 180e18);
        (uint256 amount, uint64 at) = staking.unbondingOf(alice);
        assertEq(amount, 120e18);
        assertEq(at, releaseAt);
        assertEq(staking.totalStaked(), 300e18);
    }

    function test_RequestUnstake_SecondRequestAddsAndRestartsTimer() public {
        _stake(alice, 300e18);
        vm.prank(alice);
        staking.requestUnstake(100e18);
        skip(5 days);
        vm.prank(alice);
        staking.requestUnstake(50e18);

        (uint256 amount, uint64 at) = staking.unbondingOf(alice);
        assertEq(amount, 150e18);
        assertEq(at, uint64(block.timestamp) + DELAY);

        // The first request's original release time is no longer enough.
        skip(DELAY - 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingStillUnbonding.selector, at, uint64(block.timestamp)));
        vm.prank(alice);
        staking.withdraw();
    }

    function test_RevertWhen_RequestUnstake_ZeroAmount() public {
        _stake(alice, 1e18);
        vm.expectRevert(IStaking.StakingZeroAmount.selector);
        vm.prank(alice);
        staking.requestUnstake(0);
    }

    function testFuzz_RevertWhen_RequestUnstake_InsufficientStake(uint256 staked, uint256 requested) public {
        staked = bound(staked, 0, 1_000_000e18);
        requested = bound(requested, staked + 1, type(uint256).max);
        if (staked > 0) _stake(alice, staked);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingInsufficientStake.selector, staked, requested));
        vm.prank(alice);
        staking.requestUnstake(requested);
    }

    // ---------------------------------------------------------------- withdraw

    function test_Withdraw_AfterDelay() public {
        _stake(alice, 300e18);
        vm.prank(alice);
        staking.requestUnstake(100e18);
        skip(DELAY);

        vm.expectEmit(true, false, false, true, address(staking));
        emit IStaking.Withdrawn(alice, 100e18);
        vm.prank(alice);
        uint256 out = staking.withdraw();

        assertEq(out, 100e18);
        (uint256 amount, uint64 at) = staking.unbondingOf(alice);
        assertEq(amount, 0);
        assertEq(at, 0);
        assertEq(staking.stakeOf(alice), 200e18);
        assertEq(staking.totalStaked(), 200e18);
        assertEq(token.balanceOf(alice), 1_000_000e18 - 200e18);
        assertEq(token.balanceOf(address(staking)), 200e18);
    }

    function test_Withdraw_ZeroDelayIsImmediate() public {
        vm.prank(owner);
        staking.setUnbondingDelay(0);
        _stake(alice, 10e18);
        vm.startPrank(alice);
        staking.requestUnstake(10e18);
        assertEq(staking.withdraw(), 10e18);
        vm.stopPrank();
    }

    function testFuzz_StakeUnstakeWithdraw(uint256 staked, uint256 unstaked, uint64 delay, uint256 wait) public {
        staked = bound(staked, 1, 1_000_000e18);
        unstaked = bound(unstaked, 1, staked);
        delay = uint64(bound(delay, 0, 30 days));
        wait = bound(wait, 0, 60 days);
        vm.prank(owner);
        staking.setUnbondingDelay(delay);

        _stake(alice, staked);
        vm.prank(alice);
        staking.requestUnstake(unstaked);
        uint64 releaseAt = uint64(block.timestamp) + delay;
        skip(wait);

        if (wait < delay) {
            vm.expectRevert(
                abi.encodeWithSelector(IStaking.StakingStillUnbonding.selector, releaseAt, uint64(block.timestamp))
            );
            vm.prank(alice);
            staking.withdraw();
            assertEq(staking.totalStaked(), staked);
        } else {
            vm.prank(alice);
            assertEq(staking.withdraw(), unstaked);
            assertEq(staking.totalStaked(), staked - unstaked);
            assertEq(token.balanceOf(alice), 1_000_000e18 - staked + unstaked);
        }
        assertEq(staking.stakeOf(alice), staked - unstaked);
        assertEq(staking.isEligible(alice), staked - unstaked >= MIN_STAKE);
    }

    function test_DelayChangeDoesNotAffectPendingRequest() public {
        _stake(alice, 10e18);
        vm.prank(alice);
        staking.requestUnstake(10e18);
        (, uint64 releaseAt) = staking.unbondingOf(alice);
        vm.prank(owner);
        staking.setUnbondingDelay(30 days);
        (, uint64 after_) = staking.unbondingOf(alice);
        assertEq(after_, releaseAt);
        skip(DELAY);
        vm.prank(alice);
        assertEq(staking.withdraw(), 10e18);
    }

    function test_RevertWhen_Withdraw_NothingUnbonding() public {
        _stake(alice, 10e18);
        vm.expectRevert(IStaking.StakingNothingToWithdraw.selector);
        vm.prank(alice);
        staking.withdraw();
    }

    function test_RevertWhen_Withdraw_Twice() public {
        _stake(alice, 10e18);
        vm.prank(alice);
        staking.requestUnstake(10e18);
        skip(DELAY);
        vm.startPrank(alice);
        staking.withdraw();
        vm.expectRevert(IStaking.StakingNothingToWithdraw.selector);
        staking.withdraw();
        vm.stopPrank();
    }

    function test_RevertWhen_Withdraw_StillUnbonding() public {
        _stake(alice, 10e18);
        vm.prank(alice);
        staking.requestUnstake(10e18);
        uint64 releaseAt = uint64(block.timestamp) + DELAY;
        skip(DELAY - 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingStillUnbonding.selector, releaseAt, releaseAt - 1));
        vm.prank(alice);
        staking.withdraw();
    }

    function test_Donation_DoesNotSkewAccounting() public {
        _stake(alice, 10e18);
        token.mint(address(staking), 5e18); // direct transfer, no stake() call
        assertEq(staking.totalStaked(), 10e18);
        assertEq(staking.stakeOf(alice), 10e18);
        vm.prank(alice);
        staking.requestUnstake(10e18);
        skip(DELAY);
        vm.prank(alice);
        assertEq(staking.withdraw(), 10e18);
        assertEq(token.balanceOf(address(staking)), 5e18);
        assertEq(staking.totalStaked(), 0);
    }

    function test_RevertWhen_Withdraw_Reentered() public {
        ReentrantToken evil = new ReentrantToken();
        Staking evilStaking = new Staking(IERC20(address(evil)), MIN_STAKE, DELAY, owner);
        evil.mint(alice, 10e18);
        vm.startPrank(alice);
        evil.approve(address(evilStaking), 10e18);
        evilStaking.stake(10e18);
        evilStaking.requestUnstake(10e18);
        vm.stopPrank();
        skip(DELAY);

        evil.arm(address(evilStaking), abi.encodeCall(IStaking.withdraw, ()));
        vm.expectRevert(ReentrancyGuard.ReentrancyGuardReentrantCall.selector);
        vm.prank(alice);
        evilStaking.withdraw();
    }

    function test_RevertWhen_Stake_Reentered() public {
        ReentrantToken evil = new ReentrantToken();
        Staking evilStaking = new Staking(IERC20(address(evil)), MIN_STAKE, DELAY, owner);
        evil.mint(alice, 10e18);
        vm.prank(alice);
        evil.approve(address(evilStaking), 10e18);

        evil.arm(address(evilStaking), abi.encodeCall(IStaking.stake, (1)));
        vm.expectRevert(ReentrancyGuard.ReentrancyGuardReentrantCall.selector);
        vm.prank(alice);
        evilStaking.stake(10e18);
    }

    // ---------------------------------------------------------------- owner parameters

    function test_SetMinStake() public {
        _stake(alice, 50e18);
        vm.expectEmit(false, false, false, true, address(staking));
        emit Staking.MinStakeChanged(MIN_STAKE, 50e18);
        vm.prank(owner);
        staking.setMinStake(50e18);
        assertEq(staking.minStake(), 50e18);
        assertTrue(staking.isEligible(alice));
    }

    function test_RevertWhen_SetMinStake_Zero() public {
        vm.expectRevert(abi.encodeWithSelector(Staking.StakingParameterOutOfBounds.selector, 0, 1, type(uint256).max));
        vm.prank(owner);
        staking.setMinStake(0);
    }

    function test_RevertWhen_SetMinStake_NotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        staking.setMinStake(1);
    }

    function testFuzz_SetUnbondingDelay(uint64 delay) public {
        delay = uint64(bound(delay, 0, 30 days));
        vm.expectEmit(false, false, false, true, address(staking));
        emit Staking.UnbondingDelayChanged(DELAY, delay);
        vm.prank(owner);
        staking.setUnbondingDelay(delay);
        assertEq(staking.unbondingDelay(), delay);
    }

    function testFuzz_RevertWhen_SetUnbondingDelay_TooLong(uint64 delay) public {
        delay = uint64(bound(delay, uint256(30 days) + 1, type(uint64).max));
        vm.expectRevert(abi.encodeWithSelector(Staking.StakingParameterOutOfBounds.selector, delay, 0, 30 days));
        vm.prank(owner);
        staking.setUnbondingDelay(delay);
    }

    function test_RevertWhen_SetUnbondingDelay_NotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice));
        vm.prank(alice);
        staking.setUnbondingDelay(1);
    }

    function test_TransferOwnership_TwoStep() public {
        vm.prank(owner);
        staking.transferOwnership(alice);
        assertEq(staking.owner(), owner);
        vm.prank(alice);
        staking.acceptOwnership();
        assertEq(staking.owner(), alice);
    }
}
