// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IMlproofMarket} from "../contracts/interfaces/IMlproofMarket.sol";
import {IRewards} from "../contracts/interfaces/IRewards.sol";
import {IStaking} from "../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {MlproofMarket} from "../contracts/MlproofMarket.sol";
import {MarketExtension} from "../contracts/market/MarketExtension.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";

/// @notice Market governance: AccessControl roles (admin, treasury, pauser), bounded parameters with
///         ParameterChanged, emission rates scheduled from the next epoch, the treasury, the bounded pause, and
///         the extension the market delegates to (initialized once, no funds or roles of its own, same storage).
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
    bytes32 internal constant N_PROTOCOL_FEE_BPS = "protocolFeeBps";
    bytes32 internal constant N_EMISSION_PER_EPOCH = "emissionPerEpoch";

    address internal alice = makeAddr("alice");
    address internal prover = makeAddr("prover");
    address internal keeper = makeAddr("keeper");
    address internal treasurer = makeAddr("treasurer");
    address internal pauser = makeAddr("pauser");
    address internal newTreasury = makeAddr("newTreasury");
    address internal newAdmin = makeAddr("newAdmin");

    uint256 internal modelId;
    bytes32 internal adminRole;
    bytes32 internal treasuryRole;
    bytes32 internal pauserRole;

    function setUp() public {
        _deployCore();
        (modelId,) = _registerMock(3, 1);
        adminRole = market.DEFAULT_ADMIN_ROLE();
        treasuryRole = market.TREASURY_ROLE();
        pauserRole = market.PAUSER_ROLE();
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

    /// @dev The market's extension functions that IMlproofMarket does not list (constants, `initialize`).
    function _ext() private view returns (MarketExtension) {
        return MarketExtension(address(market));
    }

    function _fee(uint256 bounty) private pure returns (uint256) {
        return bounty * FEE_BPS / 10_000;
    }

    // ---------------------------------------------------------------- constructor

    function test_Constructor_SetsState() public view {
        _assertParams(_defaultParams());
        assertEq(market.treasury(), admin);
        assertEq(market.registry(), address(registry));
        assertEq(adminRole, bytes32(0));
        assertEq(treasuryRole, keccak256("TREASURY_ROLE"));
        assertEq(pauserRole, keccak256("PAUSER_ROLE"));
        assertTrue(market.hasRole(adminRole, admin));
        assertTrue(market.hasRole(treasuryRole, admin));
        assertTrue(market.hasRole(pauserRole, admin));
        assertEq(market.getRoleAdmin(adminRole), adminRole);
        assertEq(market.getRoleAdmin(treasuryRole), adminRole);
        assertEq(market.getRoleAdmin(pauserRole), adminRole);
        assertTrue(market.supportsInterface(type(IAccessControl).interfaceId));
        assertEq(market.epochLength(), EPOCH);
        assertEq(market.emissionPerEpoch(), 0);
        assertFalse(market.paused());
        assertEq(market.pauseClock(), 0);
        assertEq(_ext().MAX_AMOUNT(), 1e27);
        assertEq(_ext().MAX_UNBONDING_DELAY(), 90 days);
        assertEq(_ext().MAX_TASK_DURATION(), 30 days);
        assertEq(_ext().MAX_EMISSION_PER_EPOCH(), 1e25);
        assertEq(market.MAX_FEE_BPS(), 2_000);
        assertEq(market.MAX_PAUSE(), 14 days);
    }

    /// @dev Initial parameters and the initial emission rate are announced like later changes (old value 0).
    function test_Constructor_EmitsParameterChanged() public {
        vm.recordLogs();
        IMlproofMarket m = _newMarket(IERC20(address(token)), _defaultParams(), 0);
        (bytes32[] memory names, uint256[] memory olds, uint256[] memory news) = _parameterChanges(address(m));
        assertEq(names.length, 11);
        assertEq(names[0], N_MIN_STAKE);
        assertEq(news[0], MIN_STAKE);
        assertEq(names[3], N_UNBONDING_DELAY);
        assertEq(news[3], UNBONDING);
        assertEq(names[8], N_SLASH_BURN_BPS);
        assertEq(news[8], SLASH_BURN_BPS);
        assertEq(names[9], N_PROTOCOL_FEE_BPS);
        assertEq(news[9], FEE_BPS);
        assertEq(names[10], bytes32("emissionPerEpoch"));
        assertEq(news[10], 0);
        for (uint256 i; i < 11; ++i) {
            assertEq(olds[i], 0);
        }
    }

    /// @dev The initial emission rate is a constructor argument, in force from epoch 0.
    function test_Constructor_InitialEmissionRate() public {
        IMlproofMarket m = _newMarket(IERC20(address(token)), _defaultParams(), 7e18);
        assertEq(m.emissionPerEpoch(), 7e18);
        (uint256 rate, uint256 fromEpoch) = m.scheduledEmission();
        assertEq(rate, 0);
        assertEq(fromEpoch, 0);
        IMlproofMarket maxed = _newMarket(IERC20(address(token)), _defaultParams(), 1e25);
        assertEq(maxed.emissionPerEpoch(), 1e25);
    }

    function test_RevertWhen_Constructor_InitialEmissionRateAboveMax() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketGovernance.MarketGovernanceOutOfBounds.selector, N_EMISSION_PER_EPOCH, 1e25 + 1, 1e25
            )
        );
        _newMarket(IERC20(address(token)), _defaultParams(), 1e25 + 1);
    }

    function test_Constructor_ZeroEpochLengthBecomesOne() public {
        IMlproofMarket m = _newMarketWithEpoch(0);
        assertEq(m.epochLength(), 1);
    }

    function _newMarketWithEpoch(uint256 epochLength) private returns (IMlproofMarket) {
        return IMlproofMarket(
            address(new MlproofMarket(IERC20(address(token)), registry, epochLength, admin, _defaultParams(), 0))
        );
    }

    function test_RevertWhen_Constructor_ParamsOutOfBounds() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.slashBurnBps = 10_000;
        vm.expectRevert(
            abi.encodeWithSelector(IMarketGovernance.MarketGovernanceOutOfBounds.selector, N_SLASH_BPS, 16_000, 10_000)
        );
        _newMarket(IERC20(address(token)), p, 0);

        p = _defaultParams();
        p.protocolFeeBps = 2_001;
        vm.expectRevert(
            abi.encodeWithSelector(
                IMarketGovernance.MarketGovernanceOutOfBounds.selector, N_PROTOCOL_FEE_BPS, 2_001, 2_000
            )
        );
        _newMarket(IERC20(address(token)), p, 0);
    }

    // ---------------------------------------------------------------- extension

    /// @dev The market's own `initialize` (through the fallback) ran in the constructor and cannot run again.
    function test_RevertWhen_Initialize_AgainOnMarket() public {
        vm.expectRevert(IMarketGovernance.MarketGovernanceAlreadyInitialized.selector);
        vm.prank(alice);
        _ext().initialize(alice, _defaultParams(), 1e25);
        assertFalse(market.hasRole(adminRole, alice));
        assertEq(market.treasury(), admin);
        assertEq(market.emissionPerEpoch(), 0);
    }

    /// @dev The extension contract itself was initialized as done by its constructor: nobody takes its roles.
    function test_RevertWhen_Initialize_DirectlyOnExtension() public {
        MarketExtension ext = MarketExtension(market.extension());
        vm.expectRevert(IMarketGovernance.MarketGovernanceAlreadyInitialized.selector);
        vm.prank(alice);
        ext.initialize(alice, _defaultParams(), 0);
        assertFalse(ext.hasRole(adminRole, alice));
    }

    /// @dev Called directly, the extension works on its own empty storage: it holds no funds, grants no one a role
    ///      (not even the market's admin), and nothing done on the market shows there.
    function test_Extension_DirectCallsHoldNoFundsOrRoles() public {
        MarketExtension ext = MarketExtension(market.extension());
        assertTrue(address(ext) != address(0) && address(ext) != address(market));
        _stakeProver();
        _fundEmissions(100e18);
        (ITaskMarket.Task memory task,) = _post(modelId, _words(1, 2, 3));

        assertEq(token.balanceOf(address(ext)), 0);
        assertEq(ext.totalStaked(), 0);
        assertEq(ext.stakeOf(prover), 0);
        assertEq(ext.unallocatedEmissions(), 0);
        assertEq(ext.treasury(), address(0));
        assertEq(ext.openTaskHash(_statementId(modelId, task.input)), bytes32(0));
        assertEq(abi.encode(ext.params()), abi.encode(IMarketGovernance.Params(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        assertFalse(ext.hasRole(adminRole, admin));
        assertFalse(ext.hasRole(treasuryRole, admin));
        assertFalse(ext.hasRole(pauserRole, admin));

        vm.startPrank(admin);
        vm.expectRevert(_unauthorized(admin, adminRole));
        ext.setParams(_defaultParams());
        vm.expectRevert(_unauthorized(admin, adminRole));
        ext.grantRole(pauserRole, admin);
        vm.expectRevert(_unauthorized(admin, treasuryRole));
        ext.setTreasury(admin);
        vm.expectRevert(_unauthorized(admin, treasuryRole));
        ext.setEmissionPerEpoch(1);
        vm.expectRevert(_unauthorized(admin, pauserRole));
        ext.pause();
        vm.stopPrank();

        // Its exits find nothing of anyone's.
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, 0, 1));
        vm.prank(prover);
        ext.requestUnstake(1);
        vm.expectRevert(IStaking.StakingNothingToWithdraw.selector);
        vm.prank(prover);
        ext.withdraw();
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, _statementId(modelId, task.input))
        );
        vm.prank(requester);
        ext.requestCancel(task);

        // The market is untouched.
        assertEq(market.stakeOf(prover), 300e18);
        assertEq(market.openTaskHash(_statementId(modelId, task.input)), market.taskHash(task));
    }

    /// @dev The market and its extension agree on the storage layout (MarketStorage first in both; the extension's
    ///      role table after it): values written by extension functions are read by the market's own hot paths,
    ///      and the other way round, and the role table overwrites no market variable.
    function test_Extension_SharesMarketStorageLayout() public {
        // Extension writes the treasury and the rate (from epoch 1); the hot fulfil and claim finalize with them.
        vm.startPrank(admin);
        market.setTreasury(newTreasury);
        market.setEmissionPerEpoch(1e16);
        vm.stopPrank();
        skip(EPOCH);
        _stakeProver();
        // Hot path writes, extension views read.
        assertEq(market.stakeOf(prover), 300e18);
        assertEq(market.totalStaked(), 300e18);
        _fundEmissions(100e18);
        assertEq(market.unallocatedEmissions(), 100e18);

        // Extension writes the params; the hot paths (post: minBounty and fee; lock: eligibility and slash terms)
        // read them.
        IMarketGovernance.Params memory p = _defaultParams();
        p.minBounty = uint96(BOUNTY + 1);
        p.protocolFeeBps = 1_000;
        p.slashRequesterBps = 100;
        _setParams(p);
        token.mint(requester, 2 * BOUNTY);
        vm.prank(requester);
        token.approve(address(market), 2 * BOUNTY);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidBounty.selector, BOUNTY, BOUNTY + 1));
        vm.prank(requester);
        market.postTask(modelId, _words(1, 2, 3), BOUNTY, COLLATERAL, block.timestamp + 1 hours, "");
        p.minBounty = MIN_BOUNTY;
        _setParams(p);
        uint256 before = token.balanceOf(address(market));
        (ITaskMarket.Task memory task,) = _post(modelId, _words(1, 2, 3));
        assertEq(task.fee, BOUNTY / 10);
        assertEq(token.balanceOf(address(market)) - before, BOUNTY + BOUNTY / 10, "escrow at the new fee");
        ITaskMarket.Task memory locked = _lock(_clone(task), prover); // checks the snapshotted slash terms
        assertEq(locked.slashRequesterBps, 100);

        p.minStake = 300e18 + 1;
        _setParams(p);
        (ITaskMarket.Task memory other,) = _post(modelId, _words(4, 5, 6));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotEligible.selector, prover));
        vm.prank(prover);
        market.lockTask(other);
        p.minStake = MIN_STAKE;
        _setParams(p);

        vm.prank(prover);
        market.fulfil(locked, _words(1), _proof());
        skip(EPOCH);
        vm.prank(prover);
        assertEq(market.claim(), BOUNTY + 1e16);
        vm.prank(newTreasury);
        assertEq(market.claim(), BOUNTY / 10);

        // Extension writes the pause (hot slot); the hot stake reads it.
        _pauseMarket();
        token.mint(prover, 1);
        vm.prank(prover);
        token.approve(address(market), 1);
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(prover);
        market.stake(1);
        _unpauseMarket();

        // Role writes (slot 15 on) leave every market variable as it was.
        bytes memory paramsBefore = abi.encode(market.params());
        vm.prank(admin);
        market.grantRole(pauserRole, pauser);
        assertEq(abi.encode(market.params()), paramsBefore);
        assertEq(market.treasury(), newTreasury);
        assertEq(market.totalStaked(), 300e18);
        assertFalse(market.paused());
        vm.expectRevert(IMarketGovernance.MarketGovernanceAlreadyInitialized.selector);
        _ext().initialize(alice, p, 0);
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
            slashBurnBps: 9,
            protocolFeeBps: 10
        });
        vm.recordLogs();
        _setParams(p);
        (bytes32[] memory names,, uint256[] memory news) = _parameterChanges(address(market));
        bytes32[10] memory expected = [
            N_MIN_STAKE,
            N_MIN_BOUNTY,
            N_MIN_COLLATERAL,
            N_UNBONDING_DELAY,
            N_MIN_TASK_DURATION,
            N_MAX_TASK_DURATION,
            N_SLASH_REQUESTER_BPS,
            N_SLASH_CALLER_BPS,
            N_SLASH_BURN_BPS,
            N_PROTOCOL_FEE_BPS
        ];
        assertEq(names.length, 10);
        for (uint256 i; i < 10; ++i) {
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
            slashBurnBps: 0,
            protocolFeeBps: 2_000
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

    function test_RevertWhen_SetParams_ProtocolFeeAboveMax() public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.protocolFeeBps = 2_001;
        _expectOutOfBounds(p, N_PROTOCOL_FEE_BPS, 2_001, 2_000);
        p.protocolFeeBps = type(uint16).max;
        _expectOutOfBounds(p, N_PROTOCOL_FEE_BPS, type(uint16).max, 2_000);
    }

    /// @dev A new fee applies to tasks posted after it: a task escrowed before pays the fee it was posted with.
    function test_SetParams_ProtocolFeeAppliesToLaterPostings() public {
        _stakeProver();
        (ITaskMarket.Task memory before,) = _post(modelId, _words(1, 2, 3));
        IMarketGovernance.Params memory p = _defaultParams();
        p.protocolFeeBps = 2_000;
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged(N_PROTOCOL_FEE_BPS, FEE_BPS, 2_000);
        _setParams(p);
        assertEq(market.feeFor(BOUNTY), BOUNTY / 5);
        (ITaskMarket.Task memory after_,) = _post(modelId, _words(4, 5, 6));
        assertEq(before.fee, _fee(BOUNTY));
        assertEq(after_.fee, BOUNTY / 5);
        vm.startPrank(prover);
        market.fulfil(before, _words(1), _proof());
        market.fulfil(after_, _words(1), _proof());
        vm.stopPrank();
        assertEq(market.epochInfo(0).fees, _fee(BOUNTY) + BOUNTY / 5);
    }

    /// @dev New slash terms apply only to locks taken after them: a lock keeps the terms it was taken with.
    function test_SetParams_SlashTermsApplyOnlyToLaterLocks() public {
        _stakeProver();
        (ITaskMarket.Task memory t1,) = _post(modelId, _words(1, 2, 3));
        ITaskMarket.Task memory early = _lock(_clone(t1), prover);
        IMarketGovernance.Params memory p = _defaultParams();
        p.slashRequesterBps = 0;
        p.slashCallerBps = 0;
        p.slashBurnBps = 0;
        _setParams(p);
        (ITaskMarket.Task memory t2,) = _post(modelId, _words(4, 5, 6));
        ITaskMarket.Task memory late = _lock(_clone(t2), prover);

        vm.warp(uint256(late.deadline) + 1);
        vm.startPrank(keeper);
        market.slash(early);
        market.slash(late);
        vm.stopPrank();
        uint256 escrow = BOUNTY + _fee(BOUNTY);
        assertEq(market.claimable(requester), 2 * escrow + COLLATERAL * SLASH_REQUESTER_BPS / 10_000);
        assertEq(market.claimable(keeper), COLLATERAL * SLASH_CALLER_BPS / 10_000);
        uint256 earlyTreasury = COLLATERAL * (10_000 - SLASH_REQUESTER_BPS - SLASH_CALLER_BPS - SLASH_BURN_BPS) / 10_000;
        assertEq(market.claimable(admin), earlyTreasury + COLLATERAL, "the late lock's collateral, all to the treasury");
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
        p.protocolFeeBps = uint16(bound(p.protocolFeeBps, 0, 2_000));
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
        token.mint(requester, BOUNTY + _fee(BOUNTY));
        vm.prank(requester);
        token.approve(address(market), BOUNTY + _fee(BOUNTY));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidDeadline.selector, deadline));
        vm.prank(requester);
        market.postTask(modelId, _words(1, 2, 3), BOUNTY, COLLATERAL, deadline, "");
    }

    // ---------------------------------------------------------------- setEmissionPerEpoch

    /// @dev A new rate is scheduled from the next epoch: the running one keeps its rate; both events are emitted.
    function test_SetEmissionPerEpoch_SchedulesAndEmits() public {
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged(N_EMISSION_PER_EPOCH, 0, 5e18);
        vm.expectEmit(false, false, false, true, address(market));
        emit IRewards.EmissionRateScheduled(5e18, 1);
        vm.prank(admin);
        market.setEmissionPerEpoch(5e18);
        assertEq(market.emissionPerEpoch(), 0, "the running epoch keeps its rate");
        (uint256 rate, uint256 fromEpoch) = market.scheduledEmission();
        assertEq(rate, 5e18);
        assertEq(fromEpoch, 1);

        skip(EPOCH);
        assertEq(market.emissionPerEpoch(), 5e18);
        vm.expectEmit(true, false, false, true, address(market));
        emit IMarketGovernance.ParameterChanged(N_EMISSION_PER_EPOCH, 5e18, 1e25);
        vm.expectEmit(false, false, false, true, address(market));
        emit IRewards.EmissionRateScheduled(1e25, 2);
        vm.prank(admin);
        market.setEmissionPerEpoch(1e25);
        assertEq(market.emissionPerEpoch(), 5e18);
        skip(EPOCH);
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
        (, uint256 fromEpoch) = market.scheduledEmission();
        assertEq(fromEpoch, 0);
    }

    function test_RevertWhen_SetEmissionPerEpoch_NotTreasurer() public {
        vm.expectRevert(_unauthorized(alice, treasuryRole));
        vm.prank(alice);
        market.setEmissionPerEpoch(1);
    }

    /// @dev Emissions follow the treasury role, not the admin role; the treasury role cannot pause.
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
        (uint256 rate,) = market.scheduledEmission();
        assertEq(rate, 3e18);

        vm.expectRevert(_unauthorized(treasurer, pauserRole));
        vm.prank(treasurer);
        market.pause();
        vm.expectRevert(_unauthorized(treasurer, adminRole));
        vm.prank(treasurer);
        market.setParams(_defaultParams());
    }

    /// @dev Ended epochs are finalized at the rate in force while they ran.
    function test_SetEmissionPerEpoch_FinalizesEndedEpochsAtOldRate() public {
        vm.prank(admin);
        market.setEmissionPerEpoch(1e16); // from epoch 1
        _fundEmissions(100e18);
        _stakeProver();
        skip(EPOCH);
        (ITaskMarket.Task memory task,) = _post(modelId, _words(1, 2, 3));
        vm.prank(prover);
        market.fulfil(task, _words(7), _proof());

        skip(EPOCH);
        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.EpochFinalized(1, _fee(BOUNTY), 1e16);
        vm.prank(admin);
        market.setEmissionPerEpoch(5e16);

        assertEq(market.epochInfo(1).emission, 1e16);
        assertEq(market.unallocatedEmissions(), 100e18 - 1e16);
        assertEq(market.claimable(prover), BOUNTY + 1e16);
        assertEq(market.emissionPerEpoch(), 1e16, "epoch 2 keeps the rate it started with");
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

    // ---------------------------------------------------------------- roles

    /// @dev Only the admin grants and revokes roles; a holder of the treasury or pauser role cannot pass it on.
    function test_RevertWhen_GrantOrRevokeRole_NotAdmin() public {
        vm.startPrank(admin);
        market.grantRole(treasuryRole, treasurer);
        market.grantRole(pauserRole, pauser);
        vm.stopPrank();

        vm.expectRevert(_unauthorized(alice, adminRole));
        vm.prank(alice);
        market.grantRole(pauserRole, alice);
        vm.expectRevert(_unauthorized(treasurer, adminRole));
        vm.prank(treasurer);
        market.grantRole(treasuryRole, alice);
        vm.expectRevert(_unauthorized(pauser, adminRole));
        vm.prank(pauser);
        market.grantRole(pauserRole, alice);
        vm.expectRevert(_unauthorized(pauser, adminRole));
        vm.prank(pauser);
        market.grantRole(adminRole, pauser);
        vm.expectRevert(_unauthorized(alice, adminRole));
        vm.prank(alice);
        market.revokeRole(pauserRole, pauser);
        vm.expectRevert(_unauthorized(treasurer, adminRole));
        vm.prank(treasurer);
        market.revokeRole(adminRole, admin);

        assertFalse(market.hasRole(pauserRole, alice));
        assertFalse(market.hasRole(treasuryRole, alice));
        assertFalse(market.hasRole(adminRole, pauser));
        assertTrue(market.hasRole(pauserRole, pauser));
        assertTrue(market.hasRole(adminRole, admin));
    }

    function test_GrantRevokeRole_ByAdminEmits() public {
        vm.expectEmit(true, true, true, true, address(market));
        emit IAccessControl.RoleGranted(pauserRole, pauser, admin);
        vm.prank(admin);
        market.grantRole(pauserRole, pauser);
        assertTrue(market.hasRole(pauserRole, pauser));

        vm.expectEmit(true, true, true, true, address(market));
        emit IAccessControl.RoleRevoked(pauserRole, pauser, admin);
        vm.prank(admin);
        market.revokeRole(pauserRole, pauser);
        assertFalse(market.hasRole(pauserRole, pauser));
        vm.expectRevert(_unauthorized(pauser, pauserRole));
        vm.prank(pauser);
        market.pause();
    }

    function test_RevertWhen_RenounceRole_ForOther() public {
        vm.expectRevert(IAccessControl.AccessControlBadConfirmation.selector);
        vm.prank(alice);
        market.renounceRole(adminRole, admin);
        assertTrue(market.hasRole(adminRole, admin));
    }

    /// @dev The admin role moves by grant and renounce (on a public network the holder is a timelock, which
    ///      delays both); afterwards only the new admin governs.
    function test_AdminRole_HandOverByGrantAndRenounce() public {
        vm.startPrank(admin);
        market.grantRole(adminRole, newAdmin);
        market.renounceRole(adminRole, admin);
        vm.stopPrank();

        IMarketGovernance.Params memory p = _defaultParams();
        p.minStake = 1e18;
        vm.expectRevert(_unauthorized(admin, adminRole));
        vm.prank(admin);
        market.setParams(p);
        vm.prank(newAdmin);
        market.setParams(p);
        assertEq(market.minStake(), 1e18);

        // The other roles are separate: the old admin keeps them until the new admin revokes them.
        assertTrue(market.hasRole(treasuryRole, admin));
        vm.startPrank(newAdmin);
        market.revokeRole(treasuryRole, admin);
        market.revokeRole(pauserRole, admin);
        market.grantRole(treasuryRole, newAdmin);
        market.setTreasury(newAdmin);
        vm.stopPrank();
        assertEq(market.treasury(), newAdmin);
        vm.expectRevert(_unauthorized(admin, treasuryRole));
        vm.prank(admin);
        market.setEmissionPerEpoch(1);
        vm.expectRevert(_unauthorized(admin, pauserRole));
        vm.prank(admin);
        market.pause();
    }

    // ---------------------------------------------------------------- pause / unpause

    function test_PauseUnpause_ByAdminEmits() public {
        vm.expectEmit(false, false, false, true, address(market));
        emit IMarketGovernance.Paused(admin);
        vm.prank(admin);
        market.pause();
        assertTrue(market.paused());

        skip(50);
        assertEq(market.pauseClock(), 50);
        vm.expectEmit(false, false, false, true, address(market));
        emit IMarketGovernance.Unpaused(admin, 50);
        vm.prank(admin);
        market.unpause();
        assertFalse(market.paused());
        skip(50);
        assertEq(market.pauseClock(), 50, "the clock stands while unpaused");
    }

    /// @dev The pauser role pauses and lifts the pause without being admin.
    function test_PauseUnpause_ByPauserRole() public {
        vm.prank(admin);
        market.grantRole(pauserRole, pauser);
        vm.prank(pauser);
        market.pause();
        assertTrue(market.paused());
        vm.prank(pauser);
        market.unpause();
        assertFalse(market.paused());
    }

    function test_RevertWhen_Pause_NotPauser() public {
        vm.expectRevert(_unauthorized(alice, pauserRole));
        vm.prank(alice);
        market.pause();
        // The admin role alone does not pause: it must hold the pauser role.
        vm.prank(admin);
        market.revokeRole(pauserRole, admin);
        vm.expectRevert(_unauthorized(admin, pauserRole));
        vm.prank(admin);
        market.pause();
        assertFalse(market.paused());
    }

    /// @dev The admin may lift a pause without the pauser role.
    function test_Unpause_ByAdminWithoutPauserRole() public {
        vm.prank(admin);
        market.grantRole(pauserRole, pauser);
        vm.prank(admin);
        market.revokeRole(pauserRole, admin);
        vm.prank(pauser);
        market.pause();
        vm.prank(admin);
        market.unpause();
        assertFalse(market.paused());
    }

    /// @dev Anyone may lift a pause once it has lasted MAX_PAUSE, not a second before.
    function test_RevertWhen_Unpause_ByAnyoneBeforeMaxPause() public {
        _pauseMarket();
        uint256 liftableAt = block.timestamp + 14 days;
        vm.expectRevert(abi.encodeWithSelector(IMarketGovernance.MarketGovernancePauseNotExpired.selector, liftableAt));
        vm.prank(alice);
        market.unpause();
        vm.warp(liftableAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IMarketGovernance.MarketGovernancePauseNotExpired.selector, liftableAt));
        vm.prank(alice);
        market.unpause();
        assertTrue(market.paused());

        vm.warp(liftableAt);
        vm.expectEmit(false, false, false, true, address(market));
        emit IMarketGovernance.Unpaused(alice, 14 days);
        vm.prank(alice);
        market.unpause();
        assertFalse(market.paused());
        assertEq(market.pauseClock(), 14 days);
    }

    function test_RevertWhen_Pause_AlreadyPaused() public {
        vm.startPrank(admin);
        market.pause();
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        market.pause();
        vm.stopPrank();
    }

    function test_RevertWhen_Unpause_NotPaused() public {
        vm.expectRevert(IMarketGovernance.ExpectedPause.selector);
        vm.prank(admin);
        market.unpause();
        vm.expectRevert(IMarketGovernance.ExpectedPause.selector);
        vm.prank(alice);
        market.unpause();
    }

    function test_Pause_BlocksStakePostLockFulfilSlashOutbid() public {
        _stakeProver();
        (ITaskMarket.Task memory open,) = _post(modelId, _words(1, 2, 3));
        (ITaskMarket.Task memory toLock,) = _post(modelId, _words(4, 5, 6));
        ITaskMarket.Task memory locked = _lock(_clone(toLock), prover);
        token.mint(prover, 10e18);
        token.mint(requester, 10 * BOUNTY);
        vm.prank(prover);
        token.approve(address(market), 10e18);
        vm.prank(requester);
        token.approve(address(market), 10 * BOUNTY);

        _pauseMarket();

        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(prover);
        market.stake(10e18);

        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(requester);
        market.postTask(modelId, _words(7, 8, 9), BOUNTY, COLLATERAL, block.timestamp + 1 hours, "");

        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(prover);
        market.lockTask(open);

        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(prover);
        market.fulfil(open, _words(1), _proof());

        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(prover);
        market.fulfil(locked, _words(1), _proof());

        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(requester);
        market.outbidTask(
            open,
            ITaskMarket.Offer({
                minPrice: 2 * BOUNTY,
                bounty: 2 * BOUNTY,
                rampDelay: 0,
                rampPeriod: 0,
                collateral: COLLATERAL,
                deadline: block.timestamp + 1 hours
            }),
            ""
        );

        // Past the locked task's deadline, still nothing is slashed while paused.
        vm.warp(uint256(locked.deadline) + 1);
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(keeper);
        market.slash(locked);

        // Nothing moved.
        assertEq(market.stakeOf(prover), 300e18);
        assertEq(market.accountOf(prover).locked, COLLATERAL);
        (bool verified,) = market.verifiedOutput(modelId, keccak256(abi.encodePacked(_words(1, 2, 3))));
        assertFalse(verified);

        // After unpausing, the same calls go through, and the pause did not count against the deadline.
        _unpauseMarket();
        vm.prank(prover);
        market.stake(10e18);
        vm.prank(prover);
        market.fulfil(locked, _words(1), _proof());
        assertEq(market.stakeOf(prover), 310e18);
        assertEq(market.accountOf(prover).locked, 0);
    }

    /// @dev A pause cannot cost a prover its collateral: the deadline is extended by the pause, so a prover who
    ///      could not fulfil while paused is not slashable until the extended deadline.
    function test_Pause_ExtendsDeadlinesAndSlashWaits() public {
        _stakeProver();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _words(1, 2, 3));
        ITaskMarket.Task memory locked = _lock(_clone(task), prover);
        skip(10 minutes);
        _pauseMarket();
        skip(3 days);
        _unpauseMarket();
        uint256 extended = uint256(locked.deadline) + 3 days;
        assertEq(market.effectiveDeadline(locked), extended);

        vm.warp(extended);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotExpired.selector, id, extended));
        vm.prank(keeper);
        market.slash(locked);
        vm.prank(prover);
        market.fulfil(locked, _words(1), _proof());
        assertEq(market.stakeOf(prover), 300e18);
    }

    /// @dev A pause never traps funds: claim, unstake, withdraw, cancel requests and due cancellations all work
    ///      while paused.
    function test_Pause_LeavesExitsOpen() public {
        _stakeProver();
        vm.prank(prover);
        market.requestUnstake(100e18);
        // A fulfilled task gives the prover a bounty to claim.
        (ITaskMarket.Task memory done,) = _post(modelId, _words(1, 2, 3));
        vm.prank(prover);
        market.fulfil(done, _words(1), _proof());
        // One cancellation is due before the pause, one is requested during it.
        (ITaskMarket.Task memory due,) = _post(modelId, _words(4, 5, 6));
        (ITaskMarket.Task memory later,) = _post(modelId, _words(7, 8, 9));
        vm.prank(requester);
        market.requestCancel(due);
        skip(market.CANCEL_NOTICE());

        _pauseMarket();
        skip(uint256(UNBONDING) + 1);

        vm.prank(prover);
        assertEq(market.withdraw(), 100e18);
        vm.prank(prover);
        market.requestUnstake(50e18);
        vm.prank(requester);
        market.cancelTask(due);
        vm.prank(requester);
        market.requestCancel(later);
        // The notice of `later` stands still while paused.
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, _statementId(modelId, later.input))
        );
        vm.prank(requester);
        market.cancelTask(later);

        vm.prank(prover);
        assertEq(market.claim(), BOUNTY);
        vm.prank(requester);
        assertEq(market.claim(), BOUNTY + _fee(BOUNTY));
        vm.prank(admin);
        assertEq(market.claim(), _fee(BOUNTY), "the treasury's fees of the ended epoch");

        assertTrue(market.paused());
        assertEq(token.balanceOf(prover), 100e18 + BOUNTY);
        assertEq(market.stakeOf(prover), 150e18);
        assertEq(market.openTaskHash(_statementId(modelId, _words(4, 5, 6))), bytes32(0));
    }
}
