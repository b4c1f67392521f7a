// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IMlproofMarket} from "../contracts/interfaces/IMlproofMarket.sol";
import {IStaking} from "../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../contracts/interfaces/IVerifiedOutputs.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {ReentrantToken} from "./utils/ReentrantToken.sol";

/// @notice Staking on MlproofMarket: stake, unbonding, withdrawal, and how collateral locks constrain them (only
///         the locked collateral: free stake can always leave, overdue locks or not, paused or not).
contract StakingTest is MarketTestBase {
    uint256 internal constant FUNDS = 1_000_000e18;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal keeper = makeAddr("keeper");

    uint256 internal modelId;

    function setUp() public {
        _deployCore();
        (modelId,) = _registerMock(3, 1);
        _fund(alice, FUNDS);
        _fund(bob, FUNDS);
    }

    function _fund(address who, uint256 amount) private {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(market), type(uint256).max);
    }

    function _stake(address who, uint256 amount) private {
        vm.prank(who);
        market.stake(amount);
    }

    function _unstake(address who, uint256 amount) private {
        vm.prank(who);
        market.requestUnstake(amount);
    }

    /// @dev Posts a default task on input (seed, seed+1, seed+2) and locks it for `prover`.
    function _postAndLock(address prover, uint256 seed) private returns (ITaskMarket.Task memory locked) {
        (ITaskMarket.Task memory task,) = _post(modelId, _words(seed, seed + 1, seed + 2));
        locked = _lock(task, prover);
    }

    function _assertAccount(address prover, uint256 active, uint256 locked, uint256 lockCount) private view {
        IStaking.Account memory a = market.accountOf(prover);
        assertEq(a.active, active, "active");
        assertEq(a.locked, locked, "locked");
        assertEq(a.lockCount, lockCount, "lockCount");
    }

    // ---------------------------------------------------------------- views

    function test_Views_Initial() public view {
        assertEq(market.token(), address(token));
        assertEq(market.minStake(), MIN_STAKE);
        assertEq(market.unbondingDelay(), UNBONDING);
        assertEq(market.totalStaked(), 0);
        assertEq(market.stakeOf(alice), 0);
        assertEq(market.freeStakeOf(alice), 0);
        assertFalse(market.isEligible(alice));
        _assertAccount(alice, 0, 0, 0);
    }

    // ---------------------------------------------------------------- stake

    function test_Stake_UpdatesBalancesAndEmits() public {
        vm.expectEmit(true, false, false, true, address(market));
        emit IStaking.Staked(alice, 60e18, 60e18);
        _stake(alice, 60e18);
        vm.expectEmit(true, false, false, true, address(market));
        emit IStaking.Staked(alice, 40e18, 100e18);
        _stake(alice, 40e18);

        assertEq(market.stakeOf(alice), 100e18);
        assertEq(market.freeStakeOf(alice), 100e18);
        assertEq(market.totalStaked(), 100e18);
        assertEq(token.balanceOf(address(market)), 100e18);
        assertEq(token.balanceOf(alice), FUNDS - 100e18);
        _assertAccount(alice, 100e18, 0, 0);
    }

    function testFuzz_Stake(uint256 a, uint256 b) public {
        a = bound(a, 1, FUNDS);
        b = bound(b, 1, FUNDS);
        _stake(alice, a);
        _stake(bob, b);
        assertEq(market.stakeOf(alice), a);
        assertEq(market.stakeOf(bob), b);
        assertEq(market.totalStaked(), a + b);
        assertEq(token.balanceOf(address(market)), a + b);
        assertEq(market.isEligible(alice), a >= MIN_STAKE);
        assertEq(market.isEligible(bob), b >= MIN_STAKE);
    }

    function test_Stake_UpToUint96Max() public {
        address whale = makeAddr("whale");
        _fund(whale, type(uint96).max);
        _stake(whale, type(uint96).max);
        assertEq(market.stakeOf(whale), type(uint96).max);
    }

    function test_RevertWhen_Stake_ZeroAmount() public {
        vm.expectRevert(IStaking.StakingZeroAmount.selector);
        _stake(alice, 0);
    }

    function test_RevertWhen_Stake_AboveUint96() public {
        uint256 amount = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingAmountTooLarge.selector, amount));
        _stake(alice, amount);
    }

    /// @dev The bound applies to the resulting active stake, not just the amount.
    function testFuzz_RevertWhen_Stake_TotalAboveUint96(uint256 first, uint256 second) public {
        first = bound(first, 1, FUNDS);
        second = bound(second, uint256(type(uint96).max) - first + 1, type(uint256).max - first);
        _stake(alice, first);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingAmountTooLarge.selector, second));
        _stake(alice, second);
        assertEq(market.stakeOf(alice), first);
    }

    function test_RevertWhen_Stake_NoAllowance() public {
        address carol = makeAddr("carol");
        token.mint(carol, 10e18);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, 10e18)
        );
        _stake(carol, 10e18);
    }

    function test_RevertWhen_Stake_Paused() public {
        _pauseMarket();
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        _stake(alice, 10e18);
        assertEq(market.totalStaked(), 0);
    }

    // ---------------------------------------------------------------- isEligible

    function test_IsEligible_AtThreshold() public {
        assertFalse(market.isEligible(alice));
        _stake(alice, MIN_STAKE - 1);
        assertFalse(market.isEligible(alice));
        _stake(alice, 1);
        assertTrue(market.isEligible(alice));
    }

    function test_IsEligible_UnbondingDoesNotCount() public {
        _stake(alice, MIN_STAKE);
        _unstake(alice, 1);
        assertFalse(market.isEligible(alice));
        assertEq(market.stakeOf(alice), MIN_STAKE - 1);
        (uint256 unbonding,) = market.unbondingOf(alice);
        assertEq(unbonding, 1);
        assertEq(market.totalStaked(), MIN_STAKE, "unbonding still counts in totalStaked");
    }

    /// @dev With minStake 0, a prover still needs some stake.
    function test_IsEligible_ZeroMinStakeNeedsNonzeroStake() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.minStake = 0;
        vm.prank(admin);
        market.setParams(p);
        assertFalse(market.isEligible(alice));
        _stake(alice, 1);
        assertTrue(market.isEligible(alice));
    }

    /// @dev An overdue lock does not make a prover ineligible (it is slashed, not frozen): eligibility is only
    ///      about active stake.
    function test_IsEligible_UnaffectedByOverdueLock() public {
        _stake(alice, 300e18);
        ITaskMarket.Task memory locked = _postAndLock(alice, 1);
        vm.warp(uint256(locked.deadline) + 1);
        assertTrue(market.isEligible(alice));
        assertEq(market.stakeOf(alice), 300e18, "stake itself is unchanged");
        // Slashing the lock takes the collateral; what remains still decides.
        vm.prank(keeper);
        market.slash(locked);
        assertEq(market.stakeOf(alice), 300e18 - COLLATERAL);
        assertTrue(market.isEligible(alice));
        _unstake(alice, 300e18 - COLLATERAL - MIN_STAKE + 1);
        assertFalse(market.isEligible(alice));
    }

    // ---------------------------------------------------------------- requestUnstake

    function test_RequestUnstake_MovesToUnbondingAndEmits() public {
        _stake(alice, 300e18);
        uint64 releaseAt = uint64(block.timestamp) + UNBONDING;
        vm.expectEmit(true, false, false, true, address(market));
        emit IStaking.UnstakeRequested(alice, 120e18, releaseAt);
        _unstake(alice, 120e18);

        assertEq(market.stakeOf(alice), 180e18);
        assertEq(market.freeStakeOf(alice), 180e18);
        (uint256 amount, uint64 at) = market.unbondingOf(alice);
        assertEq(amount, 120e18);
        assertEq(at, releaseAt);
        assertEq(market.totalStaked(), 300e18);
        assertEq(token.balanceOf(address(market)), 300e18, "no tokens move on request");
    }

    function test_RequestUnstake_SecondRequestAddsAndRestartsTimer() public {
        _stake(alice, 300e18);
        _unstake(alice, 100e18);
        uint64 firstRelease = uint64(block.timestamp) + UNBONDING;
        skip(5 days);
        _unstake(alice, 50e18);

        (uint256 amount, uint64 at) = market.unbondingOf(alice);
        assertEq(amount, 150e18);
        assertEq(at, uint64(block.timestamp) + UNBONDING);
        assertGt(at, firstRelease);

        // The first request's original release time is no longer enough.
        vm.warp(firstRelease);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingStillUnbonding.selector, at, firstRelease));
        vm.prank(alice);
        market.withdraw();

        vm.warp(at);
        vm.prank(alice);
        assertEq(market.withdraw(), 150e18);
    }

    function test_RequestUnstake_AllowedWhilePaused() public {
        _stake(alice, 300e18);
        _pauseMarket();
        _unstake(alice, 300e18);
        (uint256 amount,) = market.unbondingOf(alice);
        assertEq(amount, 300e18);
    }

    function test_RevertWhen_RequestUnstake_ZeroAmount() public {
        _stake(alice, 1e18);
        vm.expectRevert(IStaking.StakingZeroAmount.selector);
        _unstake(alice, 0);
    }

    function testFuzz_RevertWhen_RequestUnstake_InsufficientFreeStake(uint256 staked, uint256 requested) public {
        staked = bound(staked, 0, FUNDS);
        requested = bound(requested, staked + 1, type(uint256).max);
        if (staked > 0) _stake(alice, staked);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, staked, requested));
        _unstake(alice, requested);
    }

    /// @dev Unbonding stake is no longer free: it cannot be requested twice.
    function test_RevertWhen_RequestUnstake_AlreadyUnbonding() public {
        _stake(alice, 100e18);
        _unstake(alice, 70e18);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, 30e18, 31e18));
        _unstake(alice, 31e18);
    }

    function test_RevertWhen_RequestUnstake_CollateralLocked() public {
        _stake(alice, 200e18);
        _postAndLock(alice, 1);
        _assertAccount(alice, 200e18, COLLATERAL, 1);
        assertEq(market.freeStakeOf(alice), 200e18 - COLLATERAL);

        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, 150e18, 150e18 + 1));
        _unstake(alice, 150e18 + 1);

        // Exactly the free part can be unstaked; the collateral stays active and locked.
        _unstake(alice, 150e18);
        _assertAccount(alice, COLLATERAL, COLLATERAL, 1);
        assertEq(market.freeStakeOf(alice), 0);
    }

    function testFuzz_RevertWhen_RequestUnstake_CollateralLocked(uint256 staked, uint256 requested) public {
        staked = bound(staked, MIN_STAKE, FUNDS);
        uint256 free = staked - COLLATERAL;
        requested = bound(requested, free + 1, type(uint256).max);
        _stake(alice, staked);
        _postAndLock(alice, 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, free, requested));
        _unstake(alice, requested);
    }

    // ---------------------------------------------------------------- collateral locks

    function test_Lock_EmitsAndFulfilReleases() public {
        _stake(alice, 200e18);
        (ITaskMarket.Task memory task,) = _post(modelId, _words(1, 2, 3));

        vm.expectEmit(true, false, false, true, address(market));
        emit IStaking.CollateralLocked(alice, COLLATERAL, task.deadline);
        ITaskMarket.Task memory locked = _lock(task, alice);
        assertEq(market.freeStakeOf(alice), 200e18 - COLLATERAL);

        // The release has no event of its own: the fulfilment's only event is OutputVerified.
        vm.recordLogs();
        vm.prank(alice);
        market.fulfil(locked, _words(7), _proof());
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1);
        assertEq(logs[0].topics[0], IVerifiedOutputs.OutputVerified.selector);

        _assertAccount(alice, 200e18, 0, 0);
        assertEq(market.freeStakeOf(alice), 200e18);
        _unstake(alice, 200e18);
        assertEq(market.stakeOf(alice), 0);
    }

    function test_RevertWhen_Lock_FreeStakeShort() public {
        _stake(alice, MIN_STAKE);
        (ITaskMarket.Task memory task,) =
            _postWith(requester, modelId, _words(1, 2, 3), BOUNTY, MIN_STAKE + 1, block.timestamp + 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, MIN_STAKE, MIN_STAKE + 1)
        );
        vm.prank(alice);
        market.lockTask(task);
    }

    /// @dev A fulfilled lock and an overdue one: free stake leaves whatever the locks' deadlines, only the overdue
    ///      lock's collateral stays, and it stays slashable.
    function test_OverdueLock_DoesNotBlockUnstakeOfFreeStake() public {
        _stake(alice, 300e18);
        ITaskMarket.Task memory early = _postAndLock(alice, 1);
        skip(30 minutes);
        ITaskMarket.Task memory late = _postAndLock(alice, 10);
        assertLt(early.deadline, late.deadline);
        _assertAccount(alice, 300e18, 2 * COLLATERAL, 2);

        vm.prank(alice);
        market.fulfil(early, _words(7), _proof());
        _assertAccount(alice, 300e18, COLLATERAL, 1);

        // Past the late lock's deadline: the prover is overdue, yet its free stake leaves.
        vm.warp(uint256(late.deadline) + 1);
        _unstake(alice, 300e18 - COLLATERAL);
        _assertAccount(alice, COLLATERAL, COLLATERAL, 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, 0, 1));
        _unstake(alice, 1);

        vm.prank(keeper);
        market.slash(late);
        _assertAccount(alice, 0, 0, 0);
        skip(UNBONDING);
        vm.prank(alice);
        assertEq(market.withdraw(), 300e18 - COLLATERAL);
    }

    // ---------------------------------------------------------------- overdue locks

    /// @dev Past both a lock's deadline and the unbonding delay, neither unstaking nor withdrawing free stake is
    ///      blocked; the collateral stays locked and is slashed in full afterwards.
    function test_OverdueLock_UnstakeAndWithdrawFree_CollateralStaysSlashable() public {
        _stake(alice, 300e18);
        _unstake(alice, 100e18);
        ITaskMarket.Task memory locked = _postAndLock(alice, 1);

        skip(uint256(UNBONDING) + 1);
        assertGt(block.timestamp, market.effectiveDeadline(locked), "overdue");

        vm.prank(alice);
        assertEq(market.withdraw(), 100e18, "withdrawal is open while a lock is overdue");
        _unstake(alice, 200e18 - COLLATERAL);
        _assertAccount(alice, COLLATERAL, COLLATERAL, 1);
        skip(UNBONDING);
        vm.prank(alice);
        assertEq(market.withdraw(), 200e18 - COLLATERAL);
        assertEq(token.balanceOf(alice), FUNDS - COLLATERAL);

        // The collateral did not move and is slashed in full.
        vm.expectEmit(true, false, false, true, address(market));
        emit IStaking.CollateralSlashed(alice, COLLATERAL);
        vm.prank(keeper);
        market.slash(locked);
        _assertAccount(alice, 0, 0, 0);
        assertEq(market.totalStaked(), 0);
    }

    /// @dev Paused and overdue at once: free stake still leaves; slashing waits for the pause to end (and the
    ///      deadline is extended by the pause).
    function test_OverdueLock_ExitWhilePaused() public {
        _stake(alice, 300e18);
        ITaskMarket.Task memory locked = _postAndLock(alice, 1);
        vm.warp(uint256(locked.deadline) + 1);
        _pauseMarket();
        _unstake(alice, 300e18 - COLLATERAL);
        skip(UNBONDING);
        vm.prank(alice);
        assertEq(market.withdraw(), 300e18 - COLLATERAL);
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(keeper);
        market.slash(locked);
        _unpauseMarket();
        vm.prank(keeper);
        market.slash(locked);
        _assertAccount(alice, 0, 0, 0);
    }

    /// @dev Unbonding stake that was requested before a lock is not slashed: only the collateral is.
    function test_Slash_TakesOnlyCollateral() public {
        _stake(alice, 300e18);
        _unstake(alice, 200e18);
        ITaskMarket.Task memory locked = _postAndLock(alice, 1);
        vm.warp(uint256(locked.deadline) + 1);
        vm.prank(keeper);
        market.slash(locked);
        (uint256 unbonding,) = market.unbondingOf(alice);
        assertEq(unbonding, 200e18);
        assertEq(market.stakeOf(alice), 100e18 - COLLATERAL);
    }

    // ---------------------------------------------------------------- withdraw

    function test_Withdraw_AfterDelay() public {
        _stake(alice, 300e18);
        _unstake(alice, 100e18);
        skip(UNBONDING);

        vm.expectEmit(true, false, false, true, address(market));
        emit IStaking.Withdrawn(alice, 100e18);
        vm.prank(alice);
        uint256 out = market.withdraw();

        assertEq(out, 100e18);
        (uint256 amount, uint64 at) = market.unbondingOf(alice);
        assertEq(amount, 0);
        assertEq(at, 0);
        assertEq(market.stakeOf(alice), 200e18);
        assertEq(market.totalStaked(), 200e18);
        assertEq(token.balanceOf(alice), FUNDS - 200e18);
        assertEq(token.balanceOf(address(market)), 200e18);
    }

    function test_Withdraw_WhilePaused() public {
        _stake(alice, 300e18);
        _unstake(alice, 100e18);
        skip(UNBONDING);
        _pauseMarket();
        vm.prank(alice);
        assertEq(market.withdraw(), 100e18);
        assertEq(token.balanceOf(alice), FUNDS - 200e18);
    }

    function test_Withdraw_ZeroDelayIsImmediate() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.unbondingDelay = 0;
        vm.prank(admin);
        market.setParams(p);
        _stake(alice, 10e18);
        vm.startPrank(alice);
        market.requestUnstake(10e18);
        assertEq(market.withdraw(), 10e18);
        vm.stopPrank();
    }

    function test_DelayChangeDoesNotAffectPendingRequest() public {
        _stake(alice, 10e18);
        _unstake(alice, 10e18);
        (, uint64 releaseAt) = market.unbondingOf(alice);
        IMarketGovernance.Params memory p = _defaultParams();
        p.unbondingDelay = 90 days;
        vm.prank(admin);
        market.setParams(p);
        (, uint64 after_) = market.unbondingOf(alice);
        assertEq(after_, releaseAt);
        skip(UNBONDING);
        vm.prank(alice);
        assertEq(market.withdraw(), 10e18);
    }

    function test_RevertWhen_Withdraw_NothingUnbonding() public {
        _stake(alice, 10e18);
        vm.expectRevert(IStaking.StakingNothingToWithdraw.selector);
        vm.prank(alice);
        market.withdraw();
    }

    function test_RevertWhen_Withdraw_Twice() public {
        _stake(alice, 10e18);
        _unstake(alice, 10e18);
        skip(UNBONDING);
        vm.startPrank(alice);
        market.withdraw();
        vm.expectRevert(IStaking.StakingNothingToWithdraw.selector);
        market.withdraw();
        vm.stopPrank();
    }

    function test_RevertWhen_Withdraw_StillUnbonding() public {
        _stake(alice, 10e18);
        _unstake(alice, 10e18);
        uint64 releaseAt = uint64(block.timestamp) + UNBONDING;
        skip(UNBONDING - 1);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingStillUnbonding.selector, releaseAt, releaseAt - 1));
        vm.prank(alice);
        market.withdraw();
    }

    /// @dev Another prover's unbonding is not the caller's.
    function test_RevertWhen_Withdraw_OthersUnbonding() public {
        _stake(alice, 10e18);
        _unstake(alice, 10e18);
        skip(UNBONDING);
        vm.expectRevert(IStaking.StakingNothingToWithdraw.selector);
        vm.prank(bob);
        market.withdraw();
    }

    // ---------------------------------------------------------------- donations and reentrancy

    function test_Donation_DoesNotSkewAccounting() public {
        _stake(alice, 10e18);
        vm.prank(bob);
        assertTrue(token.transfer(address(market), 5e18)); // direct transfer, no stake() call
        assertEq(market.totalStaked(), 10e18);
        assertEq(market.stakeOf(alice), 10e18);
        assertEq(market.stakeOf(bob), 0);
        assertFalse(market.isEligible(bob));

        _unstake(alice, 10e18);
        skip(UNBONDING);
        vm.prank(alice);
        assertEq(market.withdraw(), 10e18);
        assertEq(token.balanceOf(address(market)), 5e18);
        assertEq(market.totalStaked(), 0);
    }

    function _evilMarket() private returns (ReentrantToken evil, IMlproofMarket evilMarket) {
        evil = new ReentrantToken();
        evilMarket = _newMarket(IERC20(address(evil)), _defaultParams(), 0);
        evil.mint(alice, 10e18);
        vm.prank(alice);
        evil.approve(address(evilMarket), 10e18);
    }

    function test_RevertWhen_Stake_Reentered() public {
        (ReentrantToken evil, IMlproofMarket evilMarket) = _evilMarket();
        evil.arm(address(evilMarket), abi.encodeCall(IStaking.stake, (1)));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(alice);
        evilMarket.stake(10e18);
    }

    function test_RevertWhen_Withdraw_Reentered() public {
        (ReentrantToken evil, IMlproofMarket evilMarket) = _evilMarket();
        vm.startPrank(alice);
        evilMarket.stake(10e18);
        evilMarket.requestUnstake(10e18);
        vm.stopPrank();
        skip(UNBONDING);

        evil.arm(address(evilMarket), abi.encodeCall(IStaking.withdraw, ()));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(alice);
        evilMarket.withdraw();
        (uint256 amount,) = evilMarket.unbondingOf(alice);
        assertEq(amount, 10e18);
    }

    // ---------------------------------------------------------------- conservation

    function testFuzz_StakeUnstakeWithdraw_ConservesTokens(uint256 staked, uint256 unstaked, uint256 wait) public {
        staked = bound(staked, 1, FUNDS);
        unstaked = bound(unstaked, 1, staked);
        wait = bound(wait, 0, 2 * uint256(UNBONDING));

        _stake(alice, staked);
        _unstake(alice, unstaked);
        uint64 releaseAt = uint64(block.timestamp) + UNBONDING;
        skip(wait);

        uint256 withdrawn;
        if (wait < UNBONDING) {
            vm.expectRevert(
                abi.encodeWithSelector(IStaking.StakingStillUnbonding.selector, releaseAt, uint64(block.timestamp))
            );
            vm.prank(alice);
            market.withdraw();
        } else {
            vm.prank(alice);
            withdrawn = market.withdraw();
            assertEq(withdrawn, unstaked);
        }
        (uint256 unbonding,) = market.unbondingOf(alice);
        assertEq(market.stakeOf(alice), staked - unstaked);
        assertEq(unbonding, unstaked - withdrawn);
        assertEq(market.totalStaked(), market.stakeOf(alice) + unbonding);
        assertEq(token.balanceOf(address(market)), market.totalStaked());
        assertEq(token.balanceOf(alice) + token.balanceOf(address(market)), FUNDS);
        assertEq(market.isEligible(alice), staked - unstaked >= MIN_STAKE);
    }

    /// @dev Two provers interleave stakes, requests and withdrawals; no token is created or lost.
    function testFuzz_TwoProvers_ConserveTokens(uint256[4] memory amounts, uint256[2] memory unstakes) public {
        uint256[2] memory staked;
        address[2] memory provers = [alice, bob];
        for (uint256 i; i < 4; ++i) {
            uint256 amount = bound(amounts[i], 1, FUNDS / 2);
            _stake(provers[i % 2], amount);
            staked[i % 2] += amount;
        }
        for (uint256 i; i < 2; ++i) {
            unstakes[i] = bound(unstakes[i], 1, staked[i]);
            _unstake(provers[i], unstakes[i]);
        }
        assertEq(market.totalStaked(), staked[0] + staked[1]);
        skip(UNBONDING);
        vm.prank(bob);
        assertEq(market.withdraw(), unstakes[1]);

        assertEq(market.stakeOf(alice), staked[0] - unstakes[0]);
        assertEq(market.stakeOf(bob), staked[1] - unstakes[1]);
        assertEq(market.totalStaked(), staked[0] + staked[1] - unstakes[1]);
        assertEq(token.balanceOf(address(market)), market.totalStaked());
        assertEq(token.balanceOf(alice) + token.balanceOf(bob) + token.balanceOf(address(market)), 2 * FUNDS);
        assertEq(token.balanceOf(bob), FUNDS - staked[1] + unstakes[1]);
    }
}
