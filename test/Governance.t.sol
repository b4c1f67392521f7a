// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {
    IAccessControlDefaultAdminRules
} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {MlproofMarket} from "../contracts/MlproofMarket.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IRewards} from "../contracts/interfaces/IRewards.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";

/// @notice Market governance: bounded parameters, emission and treasury (treasury role), pause (admin) and the
///         two-step admin transfer.
contract GovernanceTest is MarketTestBase {
    /// @dev Parameter names as ParameterChanged and MarketGovernanceOutOfBounds carry them.
    bytes32 internal constant N_MIN_STAKE = "minStake";
    bytes32 internal constant N_MIN_BOUNTY = "minBounty";
    bytes32 internal constant N_MIN_COLLATERAL = "minCollateral";
    bytes32 internal constant N_UNBONDING_DELAY = "unbondingDelay";
    bytes32 internal constant N_MIN_TASK_DURATION = "minTaskDuration";
    bytes32 internal constant N_MAX_TASK_DURATION = "maxTaskDuration";
    bytes32 internal constant N_SLASH_REQUESTER_BPS = "slashRequesterBps";
    bytes32 internal constant N_SLASH_CALLER_BPS = "slashCallerBps";
    bytes32 internal constant N_SLASH_BURN_BPS = "slashBurnBps";
    bytes32 internal constant N_SLASH_BPS = "slashBps";
    bytes32 internal constant N_EMISSION_PER_EPOCH = "emissionPerEpoch";

    address internal alice = makeAddr("alice");
    address internal prover = makeAddr("prover");
    address internal keeper = makeAddr("keeper");
    address internal treasurer = makeAddr("treasurer");
    address internal newTreasury = makeAddr("newTreasury");
    address internal newAdmin = makeAddr("newAdmin");

    uint256 internal modelId;
    bytes32 internal adminRole;
    bytes32 internal treasuryRole;

    function setUp() public {
        _deployCore();
        (modelId,) = _registerMock(3, 1);
        adminRole = market.DEFAULT_ADMIN_ROLE();
        treasuryRole = market.TREASURY_ROLE();
    }

    // ---------------------------------------------------------------- helpers

    function _setParams(IMarketGovernance.Params memory p) private {
        vm.prank(admin);
        market.setParams(p);
    }

    function _expectOutOfBounds(IMarketGovernance.Params memory p, bytes32 name, uint256 value, uint256 max) private {
        bytes memory before = abi.encode(market.params());
        vm.expectRevert(
            abi.encodeWithSelector(IMarketGovernance.MarketGovernanceOutOfBounds.selector, name, value, max)
        );
        vm.prank(admin);
        market.setParams(p);
        assertEq(abi.encode(market.params()), before, "params unchanged");
    }

    function _assertParams(IMarketGovernance.Params memory expected) private view {
        assertEq(abi.encode(market.params()), abi.encode(expected));
    }

    /// @dev ParameterChanged logs emitted by `emitter` among the recorded logs, as (name, old, new).
    function _parameterChanges(address emitter)
        private
        returns (bytes32[] memory names, uint256[] memory olds, uint256[] memory news)
    {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = IMarketGovernance.ParameterChanged.selector;
        uint256 n;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics[0] == topic) ++n;
        }
        names = new bytes32[](n);
        olds = new uint256[](n);
        news = new uint256[](n);
        n = 0;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != emitter || logs[i].topics[0] != topic) continue;
            names[n] = logs[i].topics[1];
            (olds[n], news[n]) = abi.decode(logs[i].data, (uint256, uint256));
            ++n;
        }
    }

    function _unauthorized(address account, bytes32 role) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, account, role);
    }

    function _stakeProver() private {
        _stakeFor(prover, 300e18);
    }

    // ---------------------------------------------------------------- constructor

    function test_Constructor_SetsState() public view {
        _assertParams(_defaultParams());
        assertEq(market.treasury(), admin);
        assertEq(market.registry(), address(registry));
        assertEq(market.defaultAdmin(), admin);
        assertEq(market.defaultAdminDelay(), ADMIN_DELAY);
        assertTrue(market.hasRole(treasuryRole, admin));
        assertEq(treasuryRole, keccak256("TREASURY_ROLE"));
        assertEq(market.epochLength(), EPOCH);
        assertEq(market.emissionPerEpoch(), 0);
        assertFalse(market.paused());
        assertEq(market.MAX_AMOUNT(), 1e27);
        assertEq(market.MAX_UNBONDING_DELAY(), 90 days);
        assertEq(market.MAX_TASK_DURATION(), 30 days);
        assertEq(market.MAX_EMISSION_PER_EPOCH(), 1e25);
    }

    /// @dev Initial parameters are announced like later changes (old value 0).
    function test_Constructor_EmitsParameterChanged() public {
        vm.recordLogs();
        MlproofMarket m =
            new MlproofMarket(IERC20(address(token)), registry, EPOCH, admin, ADMIN_DELAY, _defaultParams());
        (bytes32[] memory names, uint256[] memory olds, uint256[] memory news) = _parameterChanges(address(m));
        assertEq(names.length, 9);
        assertEq(names[0], N_MIN_STAKE);
        assertEq(news[0], MIN_STAKE);
        assertEq(names[3], N_UNBONDING_DELAY);
        assertEq(news[3], UNBONDING);
        assertEq(names[8], N_SLASH_BURN_BPS);
        assertEq(news[8], SLASH_BURN_BPS);
        for (uint256 i; i < 9; ++i) {
            assertEq(olds[i], 0);
        }
    }

    function test_Constructor_ZeroEpochLengthBecomesOne() public {
        MlproofMarket m = new MlproofMarket(IERC20(address(token)), registry, 0, admin, ADMIN_DELAY, _defaultParams());
        assertEq(m.epochLength(), 1);
    }

    function test_RevertWhen_Constructor_ParamsOutOfBounds() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.slashBurnBps = 10_000;
        vm.expectRevert(
            abi.encodeWithSelector(IMarketGovernance.MarketGovernanceOutOfBounds.selector, N_SLASH_BPS, 16_000, 10_000)
        );
        new MlproofMarket(IERC20(address(token)), registry, EPOCH, admin, ADMIN_DELAY, p);
    }

    // ---------------------------------------------------------------- setParams

    function test_SetParams_StoresAndEmitsOnlyChanged() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.minStake = 250e18;
        p.slashBurnBps = 0;

        vm.recordLogs();
        _setParams(p);
        (bytes32[] memory names, uint256[] memory olds, uint256[] memory news) = _parameterChanges(address(market));

        assertEq(names.length, 2);
        assertEq(names[0], N_MIN_STAKE);
        assertEq(olds[0], MIN_STAKE);
        assertEq(news[0], 250e18);
        assertEq(names[1], N_SLASH_BURN_BPS);
        assertEq(olds[1], SLASH_BURN_BPS);
        assertEq(news[1], 0);
        _assertParams(p);
        assertEq(market.minStake(), 250e18);
    }

    function test_SetParams_EmitsWithExpectEmit() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.unbondingDelay = 14 days;
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged(N_UNBONDING_DELAY, UNBONDING, 14 days);
        _setParams(p);
        assertEq(market.unbondingDelay(), 14 days);
    }

    function test_SetParams_SameValuesEmitNothing() public {
        vm.recordLogs();
        _setParams(_defaultParams());
        (bytes32[] memory names,,) = _parameterChanges(address(market));
        assertEq(names.length, 0);
        _assertParams(_defaultParams());
    }

    function test_SetParams_EveryParameterChanged() public {
        IMarketGovernance.Params memory p = IMarketGovernance.Params({
            minStake: 1,
            minBounty: 2,
            minCollateral: 3,
            unbondingDelay: 4,
            minTaskDuration: 5,
            maxTaskDuration: 6,
            slashRequesterBps: 7,
            slashCallerBps: 8,
            slashBurnBps: 9
        });
        vm.recordLogs();
        _setParams(p);
        (bytes32[] memory names,, uint256[] memory news) = _parameterChanges(address(market));
        bytes32[9] memory expected = [
            N_MIN_STAKE,
            N_MIN_BOUNTY,
            N_MIN_COLLATERAL,
            N_UNBONDING_DELAY,
            N_MIN_TASK_DURATION,
            N_MAX_TASK_DURATION,
            N_SLASH_REQUESTER_BPS,
            N_SLASH_CALLER_BPS,
            N_SLASH_BURN_BPS
        ];
        assertEq(names.length, 9);
        for (uint256 i; i < 9; ++i) {
            assertEq(names[i], expected[i]);
            assertEq(news[i], i + 1);
        }
        _assertParams(p);
    }

    function test_SetParams_AcceptsEveryBound() public {
        IMarketGovernance.Params memory p = IMarketGovernance.Params({
            minStake: 1e27,
            minBounty: 1e27,
            minCollateral: 1e27,
            unbondingDelay: 90 days,
            minTaskDuration: 30 days - 1,
            maxTaskDuration: 30 days,
            slashRequesterBps: 10_000,
            slashCallerBps: 0,
            slashBurnBps: 0
        });
        _setParams(p);
        _assertParams(p);
    }

    function test_RevertWhen_SetParams_NotAdmin() public {
        vm.expectRevert(_unauthorized(alice, adminRole));
        vm.prank(alice);
        market.setParams(_defaultParams());
    }

    /// @dev The treasury role alone does not allow setting parameters.
    function test_RevertWhen_SetParams_TreasurerOnly() public {
        vm.prank(admin);
        market.grantRole(treasuryRole, treasurer);
        vm.expectRevert(_unauthorized(treasurer, adminRole));
        vm.prank(treasurer);
        market.setParams(_defaultParams());
    }

    function test_RevertWhen_SetParams_MinStakeAboveMax() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.minStake = 1e27 + 1;
        _expectOutOfBounds(p, N_MIN_STAKE, 1e27 + 1, 1e27);
    }

    function test_RevertWhen_SetParams_MinBountyAboveMax() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.minBounty = 1e27 + 1;
        _expectOutOfBounds(p, N_MIN_BOUNTY, 1e27 + 1, 1e27);
    }

    function test_RevertWhen_SetParams_MinCollateralAboveMax() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.minCollateral = type(uint96).max;
        _expectOutOfBounds(p, N_MIN_COLLATERAL, type(uint96).max, 1e27);
    }

    function test_RevertWhen_SetParams_UnbondingDelayAboveMax() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.unbondingDelay = 90 days + 1;
        _expectOutOfBounds(p, N_UNBONDING_DELAY, 90 days + 1, 90 days);
    }

    function test_RevertWhen_SetParams_MaxTaskDurationAboveMax() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.maxTaskDuration = 30 days + 1;
        _expectOutOfBounds(p, N_MAX_TASK_DURATION, 30 days + 1, 30 days);
    }

    function test_RevertWhen_SetParams_MinTaskDurationEqualsMax() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.minTaskDuration = p.maxTaskDuration;
        _expectOutOfBounds(p, N_MIN_TASK_DURATION, MAX_DURATION, MAX_DURATION - 1);
    }

    function testFuzz_RevertWhen_SetParams_MinTaskDurationNotBelowMax(uint32 minDuration, uint32 maxDuration) public {
        maxDuration = uint32(bound(maxDuration, 1, 30 days));
        minDuration = uint32(bound(minDuration, maxDuration, type(uint32).max));
        IMarketGovernance.Params memory p = _defaultParams();
        p.minTaskDuration = minDuration;
        p.maxTaskDuration = maxDuration;
        _expectOutOfBounds(p, N_MIN_TASK_DURATION, minDuration, maxDuration - 1);
    }

    function test_RevertWhen_SetParams_SlashBpsSumAbove10000() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.slashRequesterBps = 5_000;
        p.slashCallerBps = 3_000;
        p.slashBurnBps = 2_001;
        _expectOutOfBounds(p, N_SLASH_BPS, 10_001, 10_000);
    }

    /// @dev The sum is taken in uint256: three uint16 maxima do not wrap.
    function test_RevertWhen_SetParams_SlashBpsAllMax() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.slashRequesterBps = type(uint16).max;
        p.slashCallerBps = type(uint16).max;
        p.slashBurnBps = type(uint16).max;
        _expectOutOfBounds(p, N_SLASH_BPS, 3 * uint256(type(uint16).max), 10_000);
    }

    function testFuzz_RevertWhen_SetParams_SlashBps(uint16 requesterBps, uint16 callerBps, uint16 burnBps) public {
        uint256 sum = uint256(requesterBps) + callerBps + burnBps;
        vm.assume(sum > 10_000);
        IMarketGovernance.Params memory p = _defaultParams();
        p.slashRequesterBps = requesterBps;
        p.slashCallerBps = callerBps;
        p.slashBurnBps = burnBps;
        _expectOutOfBounds(p, N_SLASH_BPS, sum, 10_000);
    }

    function testFuzz_SetParams_WithinBoundsStored(IMarketGovernance.Params memory p) public {
        p.minStake = uint96(bound(p.minStake, 0, 1e27));
        p.minBounty = uint96(bound(p.minBounty, 0, 1e27));
        p.minCollateral = uint96(bound(p.minCollateral, 0, 1e27));
        p.unbondingDelay = uint32(bound(p.unbondingDelay, 0, 90 days));
        p.maxTaskDuration = uint32(bound(p.maxTaskDuration, 1, 30 days));
        p.minTaskDuration = uint32(bound(p.minTaskDuration, 0, p.maxTaskDuration - 1));
        p.slashRequesterBps = uint16(bound(p.slashRequesterBps, 0, 10_000));
        p.slashCallerBps = uint16(bound(p.slashCallerBps, 0, 10_000 - p.slashRequesterBps));
        p.slashBurnBps = uint16(bound(p.slashBurnBps, 0, 10_000 - p.slashRequesterBps - p.slashCallerBps));
        _setParams(p);
        _assertParams(p);
        assertEq(market.minStake(), p.minStake);
        assertEq(market.unbondingDelay(), p.unbondingDelay);
    }

    /// @dev New bounds apply to the next task: a posting within the old window but outside the new one reverts.
    function test_SetParams_TaskDurationAppliesToPosting() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.maxTaskDuration = 1 hours;
        _setParams(p);
        uint256 deadline = block.timestamp + 1 hours + 1;
        token.mint(requester, BOUNTY);
        vm.prank(requester);
        token.approve(address(market), BOUNTY);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidDeadline.selector, deadline));
        vm.prank(requester);
        market.postTask(modelId, _words(1, 2, 3), BOUNTY, COLLATERAL, deadline, "");
    }

    // ---------------------------------------------------------------- setEmissionPerEpoch

    function test_SetEmissionPerEpoch_StoresAndEmits() public {
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged(N_EMISSION_PER_EPOCH, 0, 5e18);
        vm.prank(admin);
        market.setEmissionPerEpoch(5e18);
        assertEq(market.emissionPerEpoch(), 5e18);

        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged(N_EMISSION_PER_EPOCH, 5e18, 1e25);
        vm.prank(admin);
        market.setEmissionPerEpoch(1e25);
        assertEq(market.emissionPerEpoch(), 1e25);
    }

    function testFuzz_RevertWhen_SetEmissionPerEpoch_AboveMax(uint256 amount) public {
        amount = bound(amount, 1e25 + 1, type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketGovernance.MarketGovernanceOutOfBounds.selector, N_EMISSION_PER_EPOCH, amount, 1e25
            )
        );
        vm.prank(admin);
        market.setEmissionPerEpoch(amount);
        assertEq(market.emissionPerEpoch(), 0);
    }

    function test_RevertWhen_SetEmissionPerEpoch_NotTreasurer() public {
        vm.expectRevert(_unauthorized(alice, treasuryRole));
        vm.prank(alice);
        market.setEmissionPerEpoch(1);
    }

    /// @dev Emissions follow the treasury role, not the admin role.
    function test_SetEmissionPerEpoch_FollowsTreasuryRole() public {
        vm.startPrank(admin);
        market.grantRole(treasuryRole, treasurer);
        market.revokeRole(treasuryRole, admin);
        vm.stopPrank();

        vm.expectRevert(_unauthorized(admin, treasuryRole));
        vm.prank(admin);
        market.setEmissionPerEpoch(1);

        vm.prank(treasurer);
        market.setEmissionPerEpoch(3e18);
        assertEq(market.emissionPerEpoch(), 3e18);

        // The treasurer cannot pause.
        vm.expectRevert(_unauthorized(treasurer, adminRole));
        vm.prank(treasurer);
        market.pause();
    }

    /// @dev Ended epochs are finalized at the rate in force while they ran.
    function test_SetEmissionPerEpoch_FinalizesEndedEpochsAtOldRate() public {
        vm.prank(admin);
        market.setEmissionPerEpoch(10e18);
        _fundEmissions(100e18);
        _stakeProver();
        (ITaskMarket.Task memory task,) = _post(modelId, _words(1, 2, 3));
        vm.prank(prover);
        market.fulfil(task, _words(7), _proof());

        skip(EPOCH);
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(0, WORK_UNITS, 10e18);
        vm.prank(admin);
        market.setEmissionPerEpoch(50e18);

        assertEq(market.epochInfo(0).emission, 10e18);
        assertEq(market.unallocatedEmissions(), 90e18);
        assertEq(market.claimable(prover), BOUNTY + 10e18);
    }

    // ---------------------------------------------------------------- setTreasury

    function test_SetTreasury_StoresAndEmits() public {
        vm.expectEmit(false, false, false, true, address(market));
        emit IMarketGovernance.TreasuryChanged(admin, newTreasury);
        vm.prank(admin);
        market.setTreasury(newTreasury);
        assertEq(market.treasury(), newTreasury);
    }

    function test_RevertWhen_SetTreasury_Zero() public {
        vm.expectRevert(IMarketGovernance.MarketGovernanceZeroTreasury.selector);
        vm.prank(admin);
        market.setTreasury(address(0));
        assertEq(market.treasury(), admin);
    }

    function test_RevertWhen_SetTreasury_NotTreasurer() public {
        vm.expectRevert(_unauthorized(alice, treasuryRole));
        vm.prank(alice);
        market.setTreasury(alice);
    }

    /// @dev The treasury share of a slash is credited to the treasury in force at slash time.
    function test_SetTreasury_ReceivesSlashShare() public {
        _stakeProver();
        (ITaskMarket.Task memory task,) = _post(modelId, _words(1, 2, 3));
        ITaskMarket.Task memory locked = _lock(task, prover);

        vm.prank(admin);
        market.setTreasury(newTreasury);
        vm.warp(uint256(locked.deadline) + 1);
        vm.prank(keeper);
        market.slash(locked);

        uint256 treasuryShare = COLLATERAL * (10_000 - SLASH_REQUESTER_BPS - SLASH_CALLER_BPS - SLASH_BURN_BPS) / 10_000;
        assertEq(treasuryShare, 10e18);
        assertEq(market.claimable(newTreasury), treasuryShare);
        assertEq(market.claimable(admin), 0);
        vm.prank(newTreasury);
        assertEq(market.claim(), treasuryShare);
        assertEq(token.balanceOf(newTreasury), treasuryShare);
    }

    // ---------------------------------------------------------------- pause / unpause

    function test_PauseUnpause_ByAdminEmits() public {
        vm.expectEmit(false, false, false, true, address(market));
        emit Pausable.Paused(admin);
        vm.prank(admin);
        market.pause();
        assertTrue(market.paused());

        vm.expectEmit(false, false, false, true, address(market));
        emit Pausable.Unpaused(admin);
        vm.prank(admin);
        market.unpause();
        assertFalse(market.paused());
    }

    function test_RevertWhen_Pause_NotAdmin() public {
        vm.expectRevert(_unauthorized(alice, adminRole));
        vm.prank(alice);
        market.pause();
        assertFalse(market.paused());
    }

    function test_RevertWhen_Unpause_NotAdmin() public {
        vm.prank(admin);
        market.pause();
        vm.expectRevert(_unauthorized(alice, adminRole));
        vm.prank(alice);
        market.unpause();
        assertTrue(market.paused());
    }

    function test_RevertWhen_Pause_AlreadyPaused() public {
        vm.startPrank(admin);
        market.pause();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        market.pause();
        vm.stopPrank();
    }

    function test_RevertWhen_Unpause_NotPaused() public {
        vm.expectRevert(Pausable.ExpectedPause.selector);
        vm.prank(admin);
        market.unpause();
    }

    function test_Pause_BlocksStakePostLockFulfil() public {
        _stakeProver();
        (ITaskMarket.Task memory open,) = _post(modelId, _words(1, 2, 3));
        (ITaskMarket.Task memory toLock,) = _post(modelId, _words(4, 5, 6));
        ITaskMarket.Task memory locked = _lock(toLock, prover);
        token.mint(prover, 10e18);
        token.mint(requester, BOUNTY);
        vm.prank(prover);
        token.approve(address(market), 10e18);
        vm.prank(requester);
        token.approve(address(market), BOUNTY);

        vm.prank(admin);
        market.pause();

        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(prover);
        market.stake(10e18);

        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(requester);
        market.postTask(modelId, _words(7, 8, 9), BOUNTY, COLLATERAL, block.timestamp + 1 hours, "");

        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(prover);
        market.lockTask(open);

        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(prover);
        market.fulfil(open, _words(1), _proof());

        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(prover);
        market.fulfil(locked, _words(1), _proof());

        // Nothing moved.
        assertEq(market.stakeOf(prover), 300e18);
        (bool verified,) = market.verifiedOutput(modelId, keccak256(abi.encodePacked(_words(1, 2, 3))));
        assertFalse(verified);

        // After unpausing, the same calls go through.
        vm.prank(admin);
        market.unpause();
        vm.prank(prover);
        market.stake(10e18);
        vm.prank(prover);
        market.fulfil(locked, _words(1), _proof());
        assertEq(market.stakeOf(prover), 310e18);
        assertEq(market.accountOf(prover).locked, 0);
    }

    /// @dev A pause never traps funds: slash, withdraw, cancel and claim all work while paused.
    function test_Pause_LeavesExitsOpen() public {
        _stakeProver();
        vm.prank(prover);
        market.requestUnstake(100e18);
        // A fulfilled task gives the prover a bounty to claim.
        (ITaskMarket.Task memory done,) = _post(modelId, _words(1, 2, 3));
        vm.prank(prover);
        market.fulfil(done, _words(1), _proof());
        (ITaskMarket.Task memory open,) = _post(modelId, _words(4, 5, 6));
        (ITaskMarket.Task memory toLock,) = _post(modelId, _words(7, 8, 9));
        ITaskMarket.Task memory locked = _lock(toLock, prover);

        vm.prank(admin);
        market.pause();
        skip(uint256(UNBONDING) + 1);

        vm.prank(keeper);
        market.slash(locked);
        vm.prank(prover);
        assertEq(market.withdraw(), 100e18);
        vm.prank(requester);
        market.cancelTask(open);

        vm.prank(prover);
        assertEq(market.claim(), BOUNTY);
        uint256 requesterCredit = BOUNTY + BOUNTY + COLLATERAL * SLASH_REQUESTER_BPS / 10_000;
        vm.prank(requester);
        assertEq(market.claim(), requesterCredit);
        vm.prank(keeper);
        assertEq(market.claim(), COLLATERAL * SLASH_CALLER_BPS / 10_000);

        assertTrue(market.paused());
        assertEq(token.balanceOf(prover), 100e18 + BOUNTY);
        assertEq(token.balanceOf(requester), requesterCredit);
        assertEq(market.stakeOf(prover), 200e18 - COLLATERAL);
        assertEq(market.openTaskHash(_statementId(modelId, _words(4, 5, 6))), bytes32(0));
    }

    // ---------------------------------------------------------------- admin transfer

    function test_AdminTransfer_TwoStepWithDelay() public {
        vm.prank(admin);
        market.beginDefaultAdminTransfer(newAdmin);
        (address pending, uint48 schedule) = market.pendingDefaultAdmin();
        assertEq(pending, newAdmin);
        assertEq(schedule, block.timestamp + ADMIN_DELAY);

        vm.warp(schedule);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminDelay.selector, schedule
            )
        );
        vm.prank(newAdmin);
        market.acceptDefaultAdminTransfer();
        assertEq(market.defaultAdmin(), admin);

        vm.warp(uint256(schedule) + 1);
        vm.prank(newAdmin);
        market.acceptDefaultAdminTransfer();
        assertEq(market.defaultAdmin(), newAdmin);

        // The new admin governs; the old one no longer does.
        IMarketGovernance.Params memory p = _defaultParams();
        p.minStake = 1e18;
        vm.prank(newAdmin);
        market.setParams(p);
        assertEq(market.minStake(), 1e18);
        vm.prank(newAdmin);
        market.pause();
        assertTrue(market.paused());

        vm.expectRevert(_unauthorized(admin, adminRole));
        vm.prank(admin);
        market.setParams(_defaultParams());
        vm.expectRevert(_unauthorized(admin, adminRole));
        vm.prank(admin);
        market.unpause();

        // The treasury role is separate: the old admin keeps it until the new admin revokes it.
        assertTrue(market.hasRole(treasuryRole, admin));
        vm.startPrank(newAdmin);
        market.revokeRole(treasuryRole, admin);
        market.grantRole(treasuryRole, newAdmin);
        market.setTreasury(newAdmin);
        vm.stopPrank();
        assertEq(market.treasury(), newAdmin);
        vm.expectRevert(_unauthorized(admin, treasuryRole));
        vm.prank(admin);
        market.setEmissionPerEpoch(1);
    }

    function test_RevertWhen_AdminTransfer_AcceptedByOther() public {
        vm.prank(admin);
        market.beginDefaultAdminTransfer(newAdmin);
        skip(uint256(ADMIN_DELAY) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, alice)
        );
        vm.prank(alice);
        market.acceptDefaultAdminTransfer();
    }

    function test_RevertWhen_AdminTransfer_Cancelled() public {
        vm.prank(admin);
        market.beginDefaultAdminTransfer(newAdmin);
        vm.prank(admin);
        market.cancelDefaultAdminTransfer();
        skip(uint256(ADMIN_DELAY) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, newAdmin)
        );
        vm.prank(newAdmin);
        market.acceptDefaultAdminTransfer();
        assertEq(market.defaultAdmin(), admin);
    }

    function test_RevertWhen_BeginAdminTransfer_NotAdmin() public {
        vm.expectRevert(_unauthorized(alice, adminRole));
        vm.prank(alice);
        market.beginDefaultAdminTransfer(alice);
    }
}
