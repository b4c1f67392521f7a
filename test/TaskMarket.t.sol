// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IMarketGovernance} from "../contracts/interfaces/IMarketGovernance.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {IRewards} from "../contracts/interfaces/IRewards.sol";
import {IStaking} from "../contracts/interfaces/IStaking.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {IVerifiedOutputs} from "../contracts/interfaces/IVerifiedOutputs.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";

/// @notice Task market unit tests (post, lock, fulfil, slash, cancel, views) against a settable mock verifier.
/// @dev Proof soundness with the real generated verifier is in MarketFixture.t.sol.
contract TaskMarketTest is MarketTestBase {
    address internal constant BURN = 0x000000000000000000000000000000000000dEaD;
    uint256 internal constant WC = 123_456_789;
    /// @dev The protocol fee escrowed with the default bounty, and the whole escrow.
    uint256 internal constant FEE = BOUNTY * FEE_BPS / 10_000;
    uint256 internal constant ESCROW = BOUNTY + FEE;

    MockGroth16Verifier internal verifier;
    uint256 internal modelId;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    uint256 private _nonce;

    function setUp() public {
        _deployCore();
        (modelId, verifier) = _registerMock(3, 1);
        _stakeFor(alice, MIN_STAKE);
        _stakeFor(bob, MIN_STAKE);
    }

    // ------------------------------------------------------------------ helpers

    function _input() private returns (uint256[] memory) {
        ++_nonce;
        return _words(_nonce, _nonce + 1, _nonce + 2);
    }

    function _deadline() private view returns (uint256) {
        return block.timestamp + 1 hours;
    }

    function _approve(address from, uint256 amount) private {
        token.mint(from, amount);
        vm.prank(from);
        token.approve(address(market), amount);
    }

    function _fulfil(ITaskMarket.Task memory task, address prover, uint256[] memory output) private {
        vm.prank(prover);
        market.fulfil(task, output, _proof());
    }

    /// @dev keccak256 of the task's ABI tuple encoding (`abi.encode(task)` without its leading offset word), top
    ///      bit cleared: what the market stores for an open task.
    function _hashOf(ITaskMarket.Task memory task) private pure returns (bytes32 h) {
        bytes memory encoded = abi.encode(task);
        assembly ("memory-safe") {
            h := keccak256(add(encoded, 0x40), sub(mload(encoded), 0x20))
        }
        h = bytes32(uint256(h) & ~uint256(1 << 255));
    }

    function _inputCommitment(uint256[] memory input) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(input));
    }

    function _pause() private {
        _pauseMarket();
    }

    /// @dev What `_lock` returns, built before the lock (for expectEmit): the price and fee at `block.timestamp`,
    ///      the slash terms of the current parameters, `prover` set.
    function _lockedAs(ITaskMarket.Task memory task, address prover) private view returns (ITaskMarket.Task memory l) {
        l = _clone(task);
        uint256 price = market.priceAt(task, block.timestamp);
        l.fee = uint96(market.feeAt(task, price));
        l.bounty = uint96(price);
        l.minPrice = uint96(price);
        IMarketGovernance.Params memory p = market.params();
        l.slashRequesterBps = p.slashRequesterBps;
        l.slashCallerBps = p.slashCallerBps;
        l.slashBurnBps = p.slashBurnBps;
        l.prover = prover;
    }

    /// @dev Requests the cancellation of `task` as its requester and waits out the notice.
    function _cancelNow(ITaskMarket.Task memory task) private {
        vm.prank(task.requester);
        market.requestCancel(task);
        vm.warp(block.timestamp + market.CANCEL_NOTICE());
        vm.prank(task.requester);
        market.cancelTask(task);
    }

    /// @dev A deep copy of `t` with field `field % 20` changed (xor with a non-zero value, so it always differs);
    ///      field 19 is the input (one word changed, or one word appended).
    function _tamper(ITaskMarket.Task memory t, uint256 field, uint256 salt)
        private
        pure
        returns (ITaskMarket.Task memory c)
    {
        c = _clone(t);
        uint256 x = salt == 0 ? 1 : salt;
        field %= 20;
        if (field == 0) {
            c.requester = address(uint160(t.requester) ^ uint160(bound(x, 1, type(uint160).max)));
        } else if (field == 1) {
            c.modelId = t.modelId ^ uint64(bound(x, 1, type(uint64).max));
        } else if (field == 2) {
            c.deadline = t.deadline ^ uint32(bound(x, 1, type(uint32).max));
        } else if (field == 3) {
            c.verifier = address(uint160(t.verifier) ^ uint160(bound(x, 1, type(uint160).max)));
        } else if (field == 4) {
            c.workUnits = t.workUnits ^ uint64(bound(x, 1, type(uint64).max));
        } else if (field == 5) {
            c.outputWords = t.outputWords ^ uint32(bound(x, 1, type(uint32).max));
        } else if (field == 6) {
            c.privateWeights = !t.privateWeights;
        } else if (field == 7) {
            c.weightsCommitment = t.weightsCommitment ^ x;
        } else if (field == 8) {
            c.bounty = t.bounty ^ uint96(bound(x, 1, type(uint96).max));
        } else if (field == 9) {
            c.minPrice = t.minPrice ^ uint96(bound(x, 1, type(uint96).max));
        } else if (field == 10) {
            c.rampStart = t.rampStart ^ uint32(bound(x, 1, type(uint32).max));
        } else if (field == 11) {
            c.rampEnd = t.rampEnd ^ uint32(bound(x, 1, type(uint32).max));
        } else if (field == 12) {
            c.fee = t.fee ^ uint96(bound(x, 1, type(uint96).max));
        } else if (field == 13) {
            c.collateral = t.collateral ^ uint96(bound(x, 1, type(uint96).max));
        } else if (field == 14) {
            c.pauseClock = t.pauseClock ^ uint32(bound(x, 1, type(uint32).max));
        } else if (field == 15) {
            c.slashRequesterBps = t.slashRequesterBps ^ uint16(bound(x, 1, type(uint16).max));
        } else if (field == 16) {
            c.slashCallerBps = t.slashCallerBps ^ uint16(bound(x, 1, type(uint16).max));
        } else if (field == 17) {
            c.slashBurnBps = t.slashBurnBps ^ uint16(bound(x, 1, type(uint16).max));
        } else if (field == 18) {
            c.prover = address(uint160(t.prover) ^ uint160(bound(x, 1, type(uint160).max)));
        } else if (x % 2 == 0) {
            c.input[x % t.input.length] ^= x;
        } else {
            c.input = new uint256[](t.input.length + 1);
            for (uint256 i; i < t.input.length; ++i) {
                c.input[i] = t.input[i];
            }
        }
    }

    // ------------------------------------------------------------------ views

    function testFuzz_StatementId_MatchesFormula(uint256 id, uint256 a, uint256 b, uint256 c) public view {
        uint256[] memory input = _words(a, b, c);
        bytes32 expected = keccak256(abi.encode(id, keccak256(abi.encodePacked(a, b, c))));
        assertEq(market.statementId(id, input), expected);
        assertEq(market.statementId(id, input), _statementId(id, input));
    }

    function test_StatementId_SeparatesModelsAndInputs() public view {
        uint256[] memory input = _words(1, 2, 3);
        assertTrue(market.statementId(1, input) != market.statementId(2, input));
        assertTrue(market.statementId(1, input) != market.statementId(1, _words(1, 2, 4)));
        // Word boundaries matter: (1, 2, 3) is not (1, 2) ++ (3) shifted.
        assertTrue(market.statementId(1, input) != market.statementId(1, _words(3, 2, 1)));
    }

    function test_Views_UnknownStatement() public view {
        bytes32 id = _statementId(modelId, _words(1, 2, 3));
        assertEq(market.openTaskHash(id), bytes32(0));
        (bool verified, uint256[] memory output) = market.verifiedOutput(modelId, _inputCommitment(_words(1, 2, 3)));
        assertFalse(verified);
        assertEq(output.length, 0);
    }

    function test_TaskHash_IsKeccakWithTopBitCleared() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        // Spelled out: the 20 head words (the last is the input's offset, 20 * 32), then the input's length and words.
        bytes memory head1 = abi.encode(
            task.requester,
            task.modelId,
            task.deadline,
            task.verifier,
            task.workUnits,
            task.outputWords,
            task.privateWeights,
            task.weightsCommitment,
            task.bounty,
            task.minPrice
        );
        bytes memory head2 = abi.encode(
            task.rampStart,
            task.rampEnd,
            task.fee,
            task.collateral,
            task.pauseClock,
            task.slashRequesterBps,
            task.slashCallerBps,
            task.slashBurnBps,
            task.prover,
            uint256(0x280)
        );
        bytes32 tuple =
            keccak256(bytes.concat(head1, head2, abi.encode(task.input.length), abi.encodePacked(task.input)));
        assertEq(_hashOf(task), bytes32(uint256(tuple) & ~uint256(1 << 255)));
        assertEq(market.taskHash(task), _hashOf(task));
        assertEq(market.openTaskHash(id), _hashOf(task));
        assertEq(uint256(market.taskHash(task)) >> 255, 0);
        task.bounty += 1;
        assertTrue(market.taskHash(task) != market.openTaskHash(id));
    }

    // ------------------------------------------------------------------ postTask

    function test_PostTask_StoresHashEscrowsAndEmits() public {
        uint256[] memory input = _input();
        uint256 deadline = _deadline();
        ITaskMarket.Task memory task = _task(requester, modelId, input, BOUNTY, COLLATERAL, deadline);
        bytes32 id = _statementId(modelId, input);
        _approve(requester, ESCROW);
        uint256 before = token.balanceOf(address(market));

        vm.expectEmit(true, true, true, true, address(market));
        emit ITaskMarket.TaskPosted(id, modelId, requester, task, "input-data");
        vm.prank(requester);
        bytes32 returned = market.postTask(modelId, input, BOUNTY, COLLATERAL, deadline, "input-data");

        assertEq(returned, id);
        assertEq(returned, market.statementId(modelId, input));
        assertEq(market.openTaskHash(id), _hashOf(task));
        assertEq(token.balanceOf(address(market)), before + ESCROW, "bounty and fee escrowed");
        assertEq(token.balanceOf(requester), 0);
        assertEq(market.claimable(requester), 0);
        // The snapshot matches the registry.
        assertEq(task.verifier, address(verifier));
        assertEq(task.workUnits, WORK_UNITS);
        assertEq(task.outputWords, 1);
        assertFalse(task.privateWeights);
        assertEq(task.prover, address(0));
        // A fixed price: the ramp is flat at the bounty from posting on; fee at the full bounty; no slash terms yet.
        assertEq(task.minPrice, BOUNTY);
        assertEq(task.rampStart, block.timestamp);
        assertEq(task.rampEnd, block.timestamp);
        assertEq(task.fee, FEE);
        assertEq(task.pauseClock, 0);
        assertEq(task.slashRequesterBps + task.slashCallerBps + task.slashBurnBps, 0);
        assertEq(market.priceAt(task, block.timestamp), BOUNTY);
        assertEq(market.effectiveDeadline(task), deadline);
    }

    /// @dev Approving the bounty alone is not enough: the fee is escrowed on top.
    function test_RevertWhen_PostTask_EscrowExcludesFee() public {
        _approve(requester, BOUNTY);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), BOUNTY, ESCROW)
        );
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, COLLATERAL, _deadline(), "");
    }

    function test_PostTask_SameInputOtherModelIsOtherStatement() public {
        (uint256 other,) = _registerMock(3, 1);
        uint256[] memory input = _input();
        (, bytes32 id1) = _post(modelId, input);
        (, bytes32 id2) = _post(other, input);
        assertTrue(id1 != id2);
        assertTrue(market.openTaskHash(id1) != bytes32(0));
        assertTrue(market.openTaskHash(id2) != bytes32(0));
    }

    function test_RevertWhen_PostTask_UnknownModel() public {
        _approve(requester, ESCROW);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 99));
        vm.prank(requester);
        market.postTask(99, _input(), BOUNTY, COLLATERAL, _deadline(), "");
    }

    function test_RevertWhen_PostTask_DeprecatedModel() public {
        vm.prank(admin);
        registry.deprecateModel(modelId);
        _approve(requester, ESCROW);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketModelNotAvailable.selector, modelId));
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, COLLATERAL, _deadline(), "");
    }

    function test_RevertWhen_PostTask_TrainingModel() public {
        MockGroth16Verifier v = new MockGroth16Verifier(4);
        vm.prank(admin);
        uint256 training = registry.registerModel(
            IModelRegistry.ModelParams({
                verifier: address(v),
                kind: IModelRegistry.Kind.Training,
                commitment: keccak256("training"),
                privateWeights: false,
                weightsCommitment: 0,
                inputWords: 3,
                outputWords: 1,
                workUnits: WORK_UNITS,
                previous: 0,
                owner: admin,
                metadataURI: ""
            })
        );
        _approve(requester, ESCROW);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketModelNotAvailable.selector, training));
        vm.prank(requester);
        market.postTask(training, _input(), BOUNTY, COLLATERAL, _deadline(), "");
    }

    function testFuzz_RevertWhen_PostTask_WrongInputLength(uint8 len) public {
        vm.assume(len != 3);
        _approve(requester, ESCROW);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketWrongInputLength.selector, len, 3));
        vm.prank(requester);
        market.postTask(modelId, new uint256[](len), BOUNTY, COLLATERAL, _deadline(), "");
    }

    function test_RevertWhen_PostTask_InputNotInField() public {
        _approve(requester, ESCROW);
        for (uint256 i; i < 3; ++i) {
            uint256[] memory input = _words(1, 2, 3);
            input[i] = R;
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInputNotInField.selector, i));
            vm.prank(requester);
            market.postTask(modelId, input, BOUNTY, COLLATERAL, _deadline(), "");
        }
        // r - 1 is the largest field element and is accepted.
        vm.prank(requester);
        market.postTask(modelId, _words(R - 1, R - 1, R - 1), BOUNTY, COLLATERAL, _deadline(), "");
    }

    function test_RevertWhen_PostTask_BountyBelowMinimum() public {
        _approve(requester, 2 * uint256(MIN_BOUNTY));
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidBounty.selector, MIN_BOUNTY - 1, MIN_BOUNTY)
        );
        vm.prank(requester);
        market.postTask(modelId, _input(), MIN_BOUNTY - 1, COLLATERAL, _deadline(), "");
        // Exactly the minimum is accepted.
        vm.prank(requester);
        market.postTask(modelId, _input(), MIN_BOUNTY, COLLATERAL, _deadline(), "");
    }

    function test_RevertWhen_PostTask_BountyAboveUint96() public {
        uint256 bounty = uint256(type(uint96).max) + 1;
        _approve(requester, bounty);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidBounty.selector, bounty, MIN_BOUNTY));
        vm.prank(requester);
        market.postTask(modelId, _input(), bounty, COLLATERAL, _deadline(), "");
    }

    function test_RevertWhen_PostTask_CollateralBelowMinimum() public {
        _approve(requester, ESCROW);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidCollateral.selector, MIN_COLLATERAL - 1, MIN_COLLATERAL)
        );
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, MIN_COLLATERAL - 1, _deadline(), "");
    }

    function test_RevertWhen_PostTask_CollateralAboveUint96() public {
        uint256 collateral = uint256(type(uint96).max) + 1;
        _approve(requester, ESCROW);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidCollateral.selector, collateral, MIN_COLLATERAL)
        );
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, collateral, _deadline(), "");
    }

    function test_RevertWhen_PostTask_DeadlineTooSoon() public {
        _approve(requester, ESCROW);
        uint256 deadline = block.timestamp + MIN_DURATION;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidDeadline.selector, deadline));
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, COLLATERAL, deadline, "");
        // In the past.
        vm.warp(1000);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidDeadline.selector, 999));
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, COLLATERAL, 999, "");
        // One second later than the minimum is accepted.
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, COLLATERAL, block.timestamp + MIN_DURATION + 1, "");
    }

    function test_RevertWhen_PostTask_DeadlineTooFar() public {
        _approve(requester, ESCROW);
        uint256 deadline = block.timestamp + MAX_DURATION + 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidDeadline.selector, deadline));
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, COLLATERAL, deadline, "");
        // Exactly the maximum is accepted.
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, COLLATERAL, deadline - 1, "");
    }

    function test_RevertWhen_PostTask_StatementOpen() public {
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        address other = makeAddr("other");
        _approve(other, BOUNTY * 2);
        // Same statement with other terms, by another requester: still taken.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketStatementTaken.selector, id));
        vm.prank(other);
        market.postTask(modelId, input, BOUNTY * 2, COLLATERAL, _deadline(), "");
        assertEq(market.openTaskHash(id), _hashOf(task));
    }

    function test_RevertWhen_PostTask_StatementVerified() public {
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        _fulfil(task, alice, _words(7));
        _approve(requester, ESCROW);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketStatementTaken.selector, id));
        vm.prank(requester);
        market.postTask(modelId, input, BOUNTY, COLLATERAL, _deadline(), "");
    }

    function test_RevertWhen_PostTask_NoAllowance() public {
        token.mint(requester, BOUNTY);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, ESCROW)
        );
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, COLLATERAL, _deadline(), "");
    }

    function test_RevertWhen_PostTask_Paused() public {
        _pause();
        _approve(requester, ESCROW);
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(requester);
        market.postTask(modelId, _input(), BOUNTY, COLLATERAL, _deadline(), "");
    }

    // ------------------------------------------------------------------ postTaskWithOffer

    function test_PostTaskWithOffer_StoresRampEscrowsAndEmits() public {
        uint256[] memory input = _input();
        ITaskMarket.Offer memory offer = ITaskMarket.Offer({
            minPrice: 2e18, bounty: 8e18, rampDelay: 60, rampPeriod: 600, collateral: COLLATERAL, deadline: _deadline()
        });
        uint256 fee = market.feeFor(offer.bounty);
        assertEq(fee, offer.bounty * FEE_BPS / 10_000);
        ITaskMarket.Task memory task = _task(requester, modelId, input, offer.bounty, COLLATERAL, offer.deadline);
        task.minPrice = 2e18;
        task.rampStart = uint32(block.timestamp + 60);
        task.rampEnd = uint32(block.timestamp + 660);
        bytes32 id = _statementId(modelId, input);
        _approve(requester, offer.bounty + fee);

        vm.expectEmit(true, true, true, true, address(market));
        emit ITaskMarket.TaskPosted(id, modelId, requester, task, "ramp");
        vm.prank(requester);
        assertEq(market.postTaskWithOffer(modelId, input, offer, "ramp"), id);
        assertEq(market.openTaskHash(id), _hashOf(task));
        assertEq(token.balanceOf(requester), 0, "the full bounty and fee are escrowed");
        assertEq(market.priceAt(task, block.timestamp), 2e18);
        assertEq(market.priceAt(task, block.timestamp + 360), 5e18);
        assertEq(market.priceAt(task, block.timestamp + 660), 8e18);
    }

    function test_RevertWhen_PostTaskWithOffer_Paused() public {
        _pause();
        ITaskMarket.Offer memory offer = ITaskMarket.Offer({
            minPrice: BOUNTY, bounty: BOUNTY, rampDelay: 0, rampPeriod: 0, collateral: COLLATERAL, deadline: _deadline()
        });
        _approve(requester, ESCROW);
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(requester);
        market.postTaskWithOffer(modelId, _input(), offer, "");
    }

    // ------------------------------------------------------------------ lockTask

    function test_LockTask_LocksCollateralAndRehashes() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.expectEmit(true, false, false, true, address(market));
        emit IStaking.CollateralLocked(alice, COLLATERAL, task.deadline);
        vm.expectEmit(true, true, false, true, address(market));
        emit ITaskMarket.TaskLocked(id, alice, _lockedAs(task, alice));
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);

        assertEq(market.openTaskHash(id), _hashOf(locked));
        assertTrue(market.openTaskHash(id) != _hashOf(task));
        IStaking.Account memory a = market.accountOf(alice);
        assertEq(a.active, MIN_STAKE);
        assertEq(a.locked, COLLATERAL);
        assertEq(a.lockCount, 1);
        assertEq(market.freeStakeOf(alice), MIN_STAKE - COLLATERAL);
        assertEq(market.totalStaked(), 2 * uint256(MIN_STAKE));
        // The lock fixes the price (the bounty, on a fixed-price task) and the slash terms in force.
        assertEq(locked.bounty, BOUNTY);
        assertEq(locked.fee, FEE);
        assertEq(locked.slashRequesterBps, SLASH_REQUESTER_BPS);
        assertEq(locked.slashCallerBps, SLASH_CALLER_BPS);
        assertEq(locked.slashBurnBps, SLASH_BURN_BPS);
        assertEq(market.claimable(requester), 0, "nothing to refund at the full price");
    }

    function test_LockTask_AtDeadline() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.warp(task.deadline);
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        assertEq(market.openTaskHash(id), _hashOf(locked));
    }

    function test_LockTask_TwoLocksAddUp() public {
        (ITaskMarket.Task memory t1,) =
            _postWith(requester, modelId, _input(), BOUNTY, COLLATERAL, block.timestamp + 2 hours);
        (ITaskMarket.Task memory t2,) =
            _postWith(requester, modelId, _input(), BOUNTY, COLLATERAL, block.timestamp + 1 hours);
        _lock(t1, alice);
        _lock(t2, alice);
        IStaking.Account memory a = market.accountOf(alice);
        assertEq(a.locked, 2 * COLLATERAL);
        assertEq(a.lockCount, 2);
        assertEq(market.freeStakeOf(alice), 0);
    }

    function test_RevertWhen_LockTask_AlreadyLocked() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        // The current (locked) task: Locked.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketLocked.selector, id, alice));
        vm.prank(bob);
        market.lockTask(locked);
        // The stale unlocked task no longer matches the record.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(bob);
        market.lockTask(task);
        assertEq(market.accountOf(bob).locked, 0);
    }

    function test_RevertWhen_LockTask_Expired() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.warp(uint256(task.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketExpired.selector, id, task.deadline));
        vm.prank(alice);
        market.lockTask(task);
    }

    function test_RevertWhen_LockTask_Unstaked() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotEligible.selector, carol));
        vm.prank(carol);
        market.lockTask(task);
    }

    function test_RevertWhen_LockTask_BelowMinStake() public {
        _stakeFor(carol, MIN_STAKE - 1);
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotEligible.selector, carol));
        vm.prank(carol);
        market.lockTask(task);
    }

    function test_RevertWhen_LockTask_StakeUnbonding() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        vm.prank(alice);
        market.requestUnstake(1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotEligible.selector, alice));
        vm.prank(alice);
        market.lockTask(task);
    }

    /// @dev An overdue lock does not make its prover ineligible any more (no slash-pending freeze): the overdue
    ///      collateral stays locked and slashable, and the free stake can take other work.
    function test_LockTask_WithOverdueLockStillEligible() public {
        (ITaskMarket.Task memory t1,) = _post(modelId, _input());
        (ITaskMarket.Task memory t2,) =
            _postWith(requester, modelId, _input(), BOUNTY, MIN_COLLATERAL, block.timestamp + 2 hours);
        ITaskMarket.Task memory l1 = _lock(t1, alice);
        vm.warp(uint256(t1.deadline) + 1);
        assertTrue(market.isEligible(alice));
        _lock(t2, alice);
        assertEq(market.accountOf(alice).locked, COLLATERAL + MIN_COLLATERAL);
        vm.prank(carol);
        market.slash(l1);
        assertEq(market.accountOf(alice).locked, MIN_COLLATERAL, "the overdue lock was still slashable");
    }

    function test_RevertWhen_LockTask_CancelRequested() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.prank(requester);
        market.requestCancel(task);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketCancelling.selector, id));
        vm.prank(alice);
        market.lockTask(task);
    }

    function test_RevertWhen_LockTask_InsufficientFreeStake() public {
        (ITaskMarket.Task memory big,) =
            _postWith(requester, modelId, _input(), BOUNTY, uint256(MIN_STAKE) + 1, _deadline());
        vm.expectRevert(
            abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, MIN_STAKE, uint256(MIN_STAKE) + 1)
        );
        vm.prank(alice);
        market.lockTask(big);

        (ITaskMarket.Task memory t1,) = _post(modelId, _input());
        (ITaskMarket.Task memory t2,) = _post(modelId, _input());
        (ITaskMarket.Task memory t3,) = _post(modelId, _input());
        _lock(t1, alice);
        _lock(t2, alice);
        vm.expectRevert(abi.encodeWithSelector(IStaking.StakingInsufficientFreeStake.selector, 0, COLLATERAL));
        vm.prank(alice);
        market.lockTask(t3);
    }

    function test_RevertWhen_LockTask_Paused() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        _pause();
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(alice);
        market.lockTask(task);
    }

    // ------------------------------------------------------------------ fulfil

    function test_Fulfil_LockedRecordsReleasesCreditsAndEmits() public {
        uint256[] memory input = _input();
        uint256[] memory output = _words(42);
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);

        vm.expectEmit(true, true, true, true, address(market));
        emit IVerifiedOutputs.OutputVerified(modelId, _inputCommitment(input), alice, output);
        vm.recordLogs();
        _fulfil(locked, alice, output);

        // OutputVerified is the only event: the collateral release, the bounty and the work units follow from the
        // task (no CollateralReleased, WorkRecorded or TaskFulfilled any more).
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "one event");
        assertEq(logs[0].emitter, address(market));
        assertEq(logs[0].topics[0], IVerifiedOutputs.OutputVerified.selector);
        assertEq(logs[0].topics[1], bytes32(modelId));
        assertEq(logs[0].topics[2], _inputCommitment(input));
        assertEq(logs[0].topics[3], bytes32(uint256(uint160(alice))), "prover topic");
        // The statement id follows from the topics.
        assertEq(keccak256(abi.encode(uint256(logs[0].topics[1]), logs[0].topics[2])), id);

        (bool verified, uint256[] memory stored) = market.verifiedOutput(modelId, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored, output);
        assertEq(market.openTaskHash(id), bytes32(0));
        IStaking.Account memory a = market.accountOf(alice);
        assertEq(a.active, MIN_STAKE);
        assertEq(a.locked, 0);
        assertEq(a.lockCount, 0);
        assertEq(market.claimable(alice), BOUNTY);
        assertEq(market.epochInfo(0).fees, FEE, "the fee weights the epoch's emission");
        assertEq(market.claimable(requester), 0);
    }

    function test_Fulfil_UnlockedByAnyEligibleProver() public {
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        vm.expectEmit(true, true, false, true, address(market));
        emit IVerifiedOutputs.OutputVerified(modelId, _inputCommitment(input), bob, _words(9));
        _fulfil(task, bob, _words(9));
        (bool verified, uint256[] memory stored) = market.verifiedOutput(modelId, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored, _words(9));
        assertEq(market.openTaskHash(id), bytes32(0));
        assertEq(market.claimable(bob), BOUNTY);
        assertEq(market.claimable(alice), 0);
        assertEq(market.accountOf(bob).locked, 0);
    }

    function test_Fulfil_AtDeadline() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        vm.warp(task.deadline);
        _fulfil(locked, alice, _words(1));
        assertEq(market.claimable(alice), BOUNTY);
    }

    /// @dev The verifier sees `input ++ output` (no separate prover word), with the sender ORed into the last
    ///      output word at bit 88; the stored and emitted output stays payee-free.
    function test_Fulfil_PublicInputsAreInputAndOutputWithPayeePacked() public {
        uint256[] memory input = _input();
        uint256[] memory output = _words(10);
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        bytes32 expected =
            keccak256(abi.encodePacked(input[0], input[1], input[2], uint256(10) | (uint256(uint160(alice)) << 88)));
        assertEq(_publicInputsHash(input, output, alice), expected, "helper matches the layout");
        verifier.setExpectedInputsHash(expected);

        // The same statement and output from another prover are a different proven statement.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfil(task, bob, output);

        vm.expectEmit(true, true, true, true, address(market));
        emit IVerifiedOutputs.OutputVerified(modelId, _inputCommitment(input), alice, output);
        _fulfil(task, alice, output);
        assertEq(market.claimable(alice), BOUNTY);
        assertEq(market.claimable(bob), 0);
        (bool verified, uint256[] memory stored) = market.verifiedOutput(modelId, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored, output, "stored output has no payee bits");
    }

    /// @dev The payee is not a word of its own any more: a verifier that expects it appended after the output
    ///      (the old layout) never sees that statement.
    function test_Fulfil_PayeeIsNotAppendedAsExtraWord() public {
        MockGroth16Verifier v = new MockGroth16Verifier(3 + 1);
        uint256 m = _register(address(v), 3, 1, false, 0);
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(m, input);
        // input ++ [alice]: the prover in place of the output word.
        v.setExpectedInputsHash(keccak256(abi.encodePacked(input, uint256(uint160(alice)))));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfil(task, alice, _words(10));
        // input ++ [output | alice] (alice at bit 0 rather than bit 88).
        v.setExpectedInputsHash(keccak256(abi.encodePacked(input, uint256(10) | uint256(uint160(alice)))));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfil(task, alice, _words(10));
        v.setExpectedInputsHash(_publicInputsHash(input, _words(10), alice));
        _fulfil(task, alice, _words(10));
        assertEq(market.claimable(alice), BOUNTY);
    }

    function test_Fulfil_PrivateWeightsAddsWeightsCommitment() public {
        MockGroth16Verifier v = new MockGroth16Verifier(3 + 1 + 1);
        uint256 pw = _register(address(v), 3, 1, true, WC);
        uint256[] memory input = _input();
        uint256[] memory output = _words(11);
        (ITaskMarket.Task memory task, bytes32 id) = _post(pw, input);
        assertTrue(task.privateWeights);
        assertEq(task.weightsCommitment, WC);
        uint256 packed = _packPayee(11, alice);

        // The commitment in the wrong place is another statement.
        v.setExpectedInputsHash(keccak256(abi.encodePacked(input, WC, packed)));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfil(task, alice, output);

        // The payee goes into the last output word, not into the weights commitment (the last public input).
        v.setExpectedInputsHash(keccak256(abi.encodePacked(input, uint256(11), _packPayee(WC, alice))));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfil(task, alice, output);

        v.setExpectedInputsHash(keccak256(abi.encodePacked(input, packed, WC)));
        _fulfil(task, alice, output);
        (bool verified, uint256[] memory stored) = market.verifiedOutput(pw, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored, output);
    }

    /// @dev Words before the last may use all their bits (here r - 1); only the last word carries the payee.
    function test_Fulfil_MultiWordOutput() public {
        (uint256 multi, MockGroth16Verifier v) = _registerMock(1, 3);
        uint256[] memory input = _words(5);
        uint256[] memory output = _words(0, R - 1, 77);
        (ITaskMarket.Task memory task,) = _post(multi, input);
        v.setExpectedInputsHash(keccak256(abi.encodePacked(uint256(5), uint256(0), R - 1, _packPayee(77, alice))));
        vm.expectEmit(true, true, true, true, address(market));
        emit IVerifiedOutputs.OutputVerified(multi, _inputCommitment(input), alice, output);
        _fulfil(task, alice, output);
        (bool verified, uint256[] memory stored) = market.verifiedOutput(multi, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored.length, 3);
        assertEq(stored, output);
    }

    /// @dev With several output words, the payee is ORed into the last word only: the same bits in the first or a
    ///      middle word, or in every word, are other statements.
    function test_Fulfil_MultiWordOutputPayeeInLastWordOnly() public {
        (uint256 multi, MockGroth16Verifier v) = _registerMock(1, 3);
        uint256[] memory input = _words(5);
        uint256[] memory output = _words(3, 4, 77);
        (ITaskMarket.Task memory task, bytes32 id) = _post(multi, input);
        uint256 payee = uint256(uint160(alice)) << 88;

        bytes32[3] memory wrong = [
            keccak256(abi.encodePacked(uint256(5), uint256(3) | payee, uint256(4), uint256(77))),
            keccak256(abi.encodePacked(uint256(5), uint256(3), uint256(4) | payee, uint256(77))),
            keccak256(abi.encodePacked(uint256(5), uint256(3) | payee, uint256(4) | payee, uint256(77) | payee))
        ];
        for (uint256 i; i < wrong.length; ++i) {
            v.setExpectedInputsHash(wrong[i]);
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
            _fulfil(task, alice, output);
        }

        bytes32 right = keccak256(abi.encodePacked(uint256(5), uint256(3), uint256(4), uint256(77) | payee));
        assertEq(_publicInputsHash(input, output, alice), right, "helper matches the layout");
        v.setExpectedInputsHash(right);
        _fulfil(task, alice, output);
        (bool verified, uint256[] memory stored) = market.verifiedOutput(multi, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored, output, "stored output has no payee bits");
    }

    /// @dev Multi-word output: high bits in an earlier word are the output's own, in the last word they are not.
    function test_RevertWhen_Fulfil_MultiWordOutputLastWordNotPacked() public {
        (uint256 multi,) = _registerMock(1, 3);
        (ITaskMarket.Task memory task, bytes32 id) = _post(multi, _words(6));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        _fulfil(task, alice, _words(1, 2, uint256(1) << 88));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        _fulfil(task, alice, _words(1, 2, _packPayee(3, alice)));
        _fulfil(task, alice, _words(type(uint256).max >> 8, R - 1, (uint256(1) << 88) - 1));
        assertEq(market.claimable(alice), BOUNTY);
    }

    // ------------------------------------------------------------------ fulfil: payee slot

    function test_OutputNotPacked_Selector() public pure {
        assertEq(
            ITaskMarket.TaskMarketOutputNotPacked.selector, bytes4(keccak256("TaskMarketOutputNotPacked(bytes32)"))
        );
    }

    /// @dev Every bit at or above 88 of the last output word is the payee slot: each one alone reverts with
    ///      OutputNotPacked (before the verifier is asked), and 2^88 - 1 is the largest accepted word.
    function test_RevertWhen_Fulfil_OutputNotPacked_EachHighBit() public {
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        for (uint256 bit = 88; bit < 256; ++bit) {
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
            _fulfil(locked, alice, _words(uint256(1) << bit));
        }
        assertEq(market.openTaskHash(id), _hashOf(locked), "task still locked");
        assertEq(market.accountOf(alice).locked, COLLATERAL);
        assertEq(market.claimable(alice), 0);

        uint256 largest = (uint256(1) << 88) - 1;
        verifier.setExpectedInputsHash(_publicInputsHash(input, _words(largest), alice));
        _fulfil(locked, alice, _words(largest));
        (bool verified, uint256[] memory stored) = market.verifiedOutput(modelId, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored, _words(largest));
        assertEq(market.claimable(alice), BOUNTY);
    }

    /// @dev The packing check comes before the proof: even a verifier that accepts everything is not reached.
    function test_RevertWhen_Fulfil_OutputNotPacked_BeforeVerifier() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        verifier.setResult(false);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        _fulfil(task, alice, _words(uint256(1) << 100));
        verifier.setResult(true);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        _fulfil(task, alice, _words(uint256(1) << 100));
        assertEq(market.openTaskHash(id), _hashOf(task), "task still open");
        assertEq(market.epochInfo(0).fees, 0);
    }

    function testFuzz_RevertWhen_Fulfil_OutputNotPacked(uint256 word) public {
        word = bound(word, uint256(1) << 88, type(uint256).max);
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        _fulfil(task, alice, _words(word));
        assertEq(market.openTaskHash(id), _hashOf(task));
        assertEq(market.claimable(alice), 0);
    }

    function testFuzz_Fulfil_PackedOutputAccepted(uint256 word) public {
        word = bound(word, 0, (uint256(1) << 88) - 1);
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task,) = _post(modelId, input);
        verifier.setExpectedInputsHash(_publicInputsHash(input, _words(word), bob));
        _fulfil(task, bob, _words(word));
        (bool verified, uint256[] memory stored) = market.verifiedOutput(modelId, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored, _words(word));
    }

    /// @dev A copier whose address bits are a subset of the real prover's takes alice's public output word,
    ///      `output | alice << 88`. OR-ing its own address into that word changes nothing, so without the packing
    ///      check the market would ask the verifier about exactly alice's statement and pay the copier. The market
    ///      refuses the word; the plain output binds the copier's own address and fails; nobody but alice is paid.
    function test_RevertWhen_Fulfil_CopierSetsPayeeBitsToImpersonate() public {
        address copier = address(uint160(alice) & uint160(bob));
        assertTrue(copier != alice && copier != address(0), "copier is another account");
        assertEq(uint160(copier) & ~uint160(alice), 0, "copier's bits are a subset of alice's");
        _stakeFor(copier, MIN_STAKE);

        uint256[] memory input = _input();
        uint256 out = 42;
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        bytes32 alicesStatement = _publicInputsHash(input, _words(out), alice);
        verifier.setExpectedInputsHash(alicesStatement); // only alice's proof verifies
        uint256 forged = _packPayee(out, alice);
        // What the market would pass for the copier if it did not check the slot: alice's statement exactly.
        assertEq(_packPayee(forged, copier), forged);
        assertEq(keccak256(abi.encodePacked(input, _packPayee(forged, copier))), alicesStatement);

        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        _fulfil(task, copier, _words(forged));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfil(task, copier, _words(out));
        // Any other staked account setting the bits fares the same, and so does alice herself.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        _fulfil(task, bob, _words(forged));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        _fulfil(task, alice, _words(forged));
        assertEq(market.openTaskHash(id), _hashOf(task), "task still open");

        _fulfil(task, alice, _words(out));
        assertEq(market.claimable(alice), BOUNTY);
        assertEq(market.claimable(copier), 0);
        assertEq(market.claimable(bob), 0);
        (, uint256[] memory stored) = market.verifiedOutput(modelId, _inputCommitment(input));
        assertEq(stored, _words(out));
    }

    /// @dev For any copier and any last output word it submits, alice's proof pays nobody else: the word is either
    ///      refused (payee bits set) or yields a statement bound to the copier, which the verifier rejects.
    function testFuzz_RevertWhen_Fulfil_CopiedProofPaysNobodyElse(uint160 mask, bool subset, uint256 word, uint88 out)
        public
    {
        address copier =
            subset ? address(uint160(alice) & mask) : address(uint160(uint256(keccak256(abi.encode(mask)))));
        vm.assume(copier != alice && uint160(copier) > 0xffff);
        vm.assume(copier != address(market) && copier != address(token) && copier != address(registry));
        vm.assume(copier != address(verifier) && copier != address(vm) && copier != BURN);
        _stakeFor(copier, MIN_STAKE);

        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        verifier.setExpectedInputsHash(_publicInputsHash(input, _words(out), alice));
        // A third of the runs try alice's public word with some of the copier's own bits, a third a packed word
        // (bits >= 88 clear), a third an arbitrary word.
        uint256 kind = word % 3;
        if (kind == 0) word = _packPayee(out, alice) | (word & (uint256(uint160(copier)) << 88));
        else if (kind == 1) word >>= 168;
        if (word >> 88 != 0) {
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        } else {
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        }
        _fulfil(task, copier, _words(word));
        assertEq(market.claimable(copier), 0);
        assertEq(market.openTaskHash(id), _hashOf(task));

        _fulfil(task, alice, _words(out));
        assertEq(market.claimable(alice), BOUNTY);
    }

    function test_Fulfil_ZeroOutputWordIsVerified() public {
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        _fulfil(task, alice, _words(0));
        (bool verified, uint256[] memory stored) = market.verifiedOutput(modelId, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored, _words(0));
        assertEq(market.openTaskHash(id), bytes32(0));
    }

    function test_Fulfil_DeprecatedModelOpenTaskStillFulfils() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        vm.prank(admin);
        registry.deprecateModel(modelId);
        _fulfil(task, alice, _words(1));
        assertEq(market.claimable(alice), BOUNTY);
    }

    /// @dev A locked prover can deliver its task even while another of its locks is overdue.
    function test_Fulfil_LockedProverWithOverdueLockCanDeliver() public {
        (ITaskMarket.Task memory t1,) =
            _postWith(requester, modelId, _input(), BOUNTY, MIN_COLLATERAL, block.timestamp + 1 hours);
        (ITaskMarket.Task memory t2,) =
            _postWith(requester, modelId, _input(), BOUNTY, MIN_COLLATERAL, block.timestamp + 2 hours);
        _lock(t1, alice);
        ITaskMarket.Task memory l2 = _lock(t2, alice);
        vm.warp(uint256(t1.deadline) + 1);
        _fulfil(l2, alice, _words(1));
        assertEq(market.claimable(alice), BOUNTY);
        assertEq(market.accountOf(alice).locked, MIN_COLLATERAL, "t1 still locked");
    }

    function test_RevertWhen_Fulfil_LockedByOther() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketLocked.selector, id, alice));
        _fulfil(locked, bob, _words(1));
        // Passing the unlocked version does not help.
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        _fulfil(task, bob, _words(1));
    }

    function test_RevertWhen_Fulfil_Expired() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        (ITaskMarket.Task memory t2, bytes32 id2) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(t2, alice);
        vm.warp(uint256(task.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketExpired.selector, id, task.deadline));
        _fulfil(task, bob, _words(1));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketExpired.selector, id2, locked.deadline));
        _fulfil(locked, alice, _words(1));
    }

    function test_RevertWhen_Fulfil_Unstaked() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotEligible.selector, carol));
        _fulfil(task, carol, _words(1));
    }

    function test_RevertWhen_Fulfil_BelowMinStake() public {
        _stakeFor(carol, MIN_STAKE - 1);
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotEligible.selector, carol));
        _fulfil(task, carol, _words(1));
    }

    /// @dev An overdue lock no longer bars its prover from fulfilling other (unlocked) tasks.
    function test_Fulfil_UnlockedWithOverdueLock() public {
        (ITaskMarket.Task memory t1,) = _post(modelId, _input());
        (ITaskMarket.Task memory t2,) =
            _postWith(requester, modelId, _input(), BOUNTY, COLLATERAL, block.timestamp + 2 hours);
        _lock(t1, alice);
        vm.warp(uint256(t1.deadline) + 1);
        _fulfil(t2, alice, _words(1));
        assertEq(market.claimable(alice), BOUNTY);
        assertEq(market.accountOf(alice).locked, COLLATERAL, "t1's collateral stays locked");
    }

    function testFuzz_RevertWhen_Fulfil_WrongOutputLength(uint8 len) public {
        vm.assume(len != 1);
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketWrongOutputLength.selector, len, 1));
        _fulfil(task, alice, new uint256[](len));
    }

    function test_RevertWhen_Fulfil_InvalidProof() public {
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        verifier.setResult(false);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        _fulfil(locked, alice, _words(1));
        assertEq(market.claimable(alice), 0);
        assertEq(market.accountOf(alice).locked, COLLATERAL);
        assertEq(market.openTaskHash(id), _hashOf(locked));
        (bool verified,) = market.verifiedOutput(modelId, _inputCommitment(input));
        assertFalse(verified);
    }

    function test_RevertWhen_Fulfil_AlreadyVerified() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        _fulfil(task, alice, _words(1));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        _fulfil(task, alice, _words(1));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        _fulfil(task, bob, _words(2));
        assertEq(market.claimable(alice), BOUNTY, "paid once");
        assertEq(market.claimable(bob), 0);
    }

    function test_RevertWhen_Fulfil_Paused() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        _pause();
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        _fulfil(task, alice, _words(1));
    }

    // ------------------------------------------------------------------ slash

    function test_Slash_SplitsCollateralRefundsBountyAndEmits() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        vm.warp(uint256(task.deadline) + 1);

        uint256 toRequester = COLLATERAL * SLASH_REQUESTER_BPS / 10_000; // 25e18
        uint256 toCaller = COLLATERAL * SLASH_CALLER_BPS / 10_000; // 5e18
        uint256 burned = COLLATERAL * SLASH_BURN_BPS / 10_000; // 10e18
        uint256 toTreasury = COLLATERAL - toRequester - toCaller - burned; // 10e18
        assertEq(toTreasury, 10e18);

        vm.expectEmit(true, false, false, true, address(market));
        emit IStaking.CollateralSlashed(alice, COLLATERAL);
        vm.expectEmit(true, true, true, true, address(market));
        emit ITaskMarket.TaskSlashed(id, alice, carol, toRequester, toCaller, burned, toTreasury);
        vm.prank(carol);
        market.slash(locked);

        assertEq(market.openTaskHash(id), bytes32(0));
        assertEq(market.claimable(requester), toRequester + BOUNTY + FEE, "share, bounty and fee");
        assertEq(market.claimable(carol), toCaller);
        assertEq(market.claimable(admin), toTreasury);
        assertEq(market.claimable(alice), 0);
        assertEq(token.balanceOf(BURN), burned);
        IStaking.Account memory a = market.accountOf(alice);
        assertEq(a.active, MIN_STAKE - COLLATERAL);
        assertEq(a.locked, 0);
        assertEq(a.lockCount, 0);
        // Half its stake is gone: below the minimum, no longer eligible.
        assertFalse(market.isEligible(alice));
    }

    function test_RevertWhen_Slash_NotLocked() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.warp(uint256(task.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotLocked.selector, id));
        vm.prank(carol);
        market.slash(task);
    }

    function test_RevertWhen_Slash_NotExpired() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotExpired.selector, id, task.deadline));
        vm.prank(carol);
        market.slash(locked);
        vm.warp(task.deadline);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotExpired.selector, id, task.deadline));
        vm.prank(carol);
        market.slash(locked);
    }

    function test_RevertWhen_Slash_Twice() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        vm.warp(uint256(task.deadline) + 1);
        vm.prank(carol);
        market.slash(locked);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(carol);
        market.slash(locked);
        assertEq(market.accountOf(alice).active, MIN_STAKE - COLLATERAL, "slashed once");
        assertEq(token.balanceOf(BURN), COLLATERAL * SLASH_BURN_BPS / 10_000);
    }

    function test_RevertWhen_Slash_Fulfilled() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        _fulfil(locked, alice, _words(1));
        vm.warp(uint256(task.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        market.slash(locked);
    }

    /// @dev Nothing is slashed while paused, and the pause extends the deadline: after it the task is not
    ///      overdue until the deadline plus the pause's length.
    function test_RevertWhen_Slash_Paused() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        vm.warp(uint256(task.deadline) - 10);
        _pause();
        vm.warp(uint256(task.deadline) + 100);
        vm.expectRevert(IMarketGovernance.EnforcedPause.selector);
        vm.prank(carol);
        market.slash(locked);
        _unpauseMarket();
        uint256 effective = uint256(task.deadline) + 110;
        assertEq(market.effectiveDeadline(locked), effective);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotExpired.selector, id, effective));
        vm.prank(carol);
        market.slash(locked);
        vm.warp(effective + 1);
        vm.prank(carol);
        market.slash(locked);
        assertEq(market.claimable(requester), COLLATERAL * SLASH_REQUESTER_BPS / 10_000 + ESCROW);
    }

    function testFuzz_Slash_SplitSumsToCollateral(
        uint16 requesterBps,
        uint16 callerBps,
        uint16 burnBps,
        uint96 collateral,
        uint96 bounty
    ) public {
        IMarketGovernance.Params memory p = _defaultParams();
        p.slashRequesterBps = uint16(bound(requesterBps, 0, 10_000));
        p.slashCallerBps = uint16(bound(callerBps, 0, 10_000 - p.slashRequesterBps));
        p.slashBurnBps = uint16(bound(burnBps, 0, 10_000 - p.slashRequesterBps - p.slashCallerBps));
        vm.prank(admin);
        market.setParams(p);
        collateral = uint96(bound(collateral, MIN_COLLATERAL, 1e27));
        bounty = uint96(bound(bounty, MIN_BOUNTY, 1e27));
        uint256 staked = collateral < MIN_STAKE ? MIN_STAKE : collateral;
        _stakeFor(carol, staked);

        (ITaskMarket.Task memory task,) = _postWith(requester, modelId, _input(), bounty, collateral, _deadline());
        ITaskMarket.Task memory locked = _lock(task, carol);
        vm.warp(uint256(task.deadline) + 1);
        uint256 marketBefore = token.balanceOf(address(market));
        vm.prank(bob);
        market.slash(locked);

        _checkSplit(p, collateral, bounty, bob);
        assertEq(token.balanceOf(address(market)), marketBefore - token.balanceOf(BURN));
        assertEq(market.accountOf(carol).active, staked - collateral);
        assertEq(market.totalStaked(), 2 * uint256(MIN_STAKE) + staked - collateral);
        // Everything owed is backed by the market's balance.
        assertEq(
            token.balanceOf(address(market)),
            market.totalStaked() + market.claimable(requester) + market.claimable(bob) + market.claimable(admin)
        );
    }

    function _checkSplit(IMarketGovernance.Params memory p, uint256 collateral, uint256 bounty, address caller)
        private
        view
    {
        uint256 toRequester = collateral * p.slashRequesterBps / 10_000;
        uint256 toCaller = collateral * p.slashCallerBps / 10_000;
        uint256 burned = collateral * p.slashBurnBps / 10_000;
        uint256 toTreasury = market.claimable(admin);
        assertEq(market.claimable(requester), toRequester + bounty + bounty * FEE_BPS / 10_000);
        assertEq(market.claimable(caller), toCaller);
        assertEq(token.balanceOf(BURN), burned);
        assertEq(toRequester + toCaller + burned + toTreasury, collateral, "split sums to collateral");
        // The treasury gets its floored share plus the rounding of the other three (under 4 wei).
        uint256 treasuryFloor =
            collateral * (10_000 - uint256(p.slashRequesterBps) - p.slashCallerBps - p.slashBurnBps) / 10_000;
        assertGe(toTreasury, treasuryFloor);
        assertLe(toTreasury, treasuryFloor + 3);
    }

    // ------------------------------------------------------------------ requestCancel / cancelTask

    function test_CancelTask_ByRequesterAfterNotice() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        uint256 dueAt = block.timestamp + market.CANCEL_NOTICE();
        vm.expectEmit(true, true, false, true, address(market));
        emit ITaskMarket.TaskCancelRequested(id, requester, dueAt);
        vm.prank(requester);
        market.requestCancel(task);
        assertEq(market.cancelDueAt(id), dueAt);
        assertEq(market.openTaskHash(id), _hashOf(task), "still open during the notice");

        vm.warp(dueAt - 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, id));
        vm.prank(requester);
        market.cancelTask(task);

        vm.warp(dueAt);
        vm.expectEmit(true, true, false, true, address(market));
        emit ITaskMarket.TaskCancelled(id, requester);
        vm.prank(requester);
        market.cancelTask(task);
        assertEq(market.openTaskHash(id), bytes32(0));
        assertEq(market.cancelDueAt(id), 0);
        assertEq(market.claimable(requester), ESCROW, "bounty and fee refunded");
        vm.prank(requester);
        assertEq(market.claim(), ESCROW);
        assertEq(token.balanceOf(requester), ESCROW);
    }

    /// @dev Once due, anyone may finish the cancellation; the refund still goes to the requester.
    function test_CancelTask_ByAnyoneOnceDue() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        vm.prank(requester);
        market.requestCancel(task);
        vm.warp(block.timestamp + market.CANCEL_NOTICE());
        vm.prank(carol);
        market.cancelTask(task);
        assertEq(market.claimable(requester), ESCROW);
        assertEq(market.claimable(carol), 0);
    }

    function test_CancelTask_ByAnyoneAfterDeadline() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.warp(task.deadline);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, id));
        vm.prank(carol);
        market.cancelTask(task);
        vm.warp(uint256(task.deadline) + 1);
        vm.expectEmit(true, true, false, true, address(market));
        emit ITaskMarket.TaskCancelled(id, requester);
        vm.prank(carol);
        market.cancelTask(task);
        assertEq(market.claimable(requester), ESCROW, "refund goes to the requester");
        assertEq(market.claimable(carol), 0);
    }

    function test_RevertWhen_CancelTask_NotRequested() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, id));
        vm.prank(requester);
        market.cancelTask(task);
    }

    function test_RevertWhen_RequestCancel_NotRequester() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotRequester.selector, id, carol));
        vm.prank(carol);
        market.requestCancel(task);
        assertEq(market.cancelDueAt(id), 0);
    }

    function test_RevertWhen_RequestCancel_Twice() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.prank(requester);
        market.requestCancel(task);
        uint256 due = market.cancelDueAt(id);
        vm.warp(block.timestamp + 100);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketCancelling.selector, id));
        vm.prank(requester);
        market.requestCancel(task);
        assertEq(market.cancelDueAt(id), due, "the notice is not restarted");
    }

    /// @dev Regression: a locked task can never be cancelled, neither before its deadline nor after (then it is
    ///      slashed), and no cancellation can be requested for it.
    function test_RevertWhen_CancelTask_Locked() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketLocked.selector, id, alice));
        vm.prank(requester);
        market.requestCancel(locked);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketLocked.selector, id, alice));
        vm.prank(requester);
        market.cancelTask(locked);
        vm.warp(uint256(task.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketLocked.selector, id, alice));
        vm.prank(requester);
        market.cancelTask(locked);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketLocked.selector, id, alice));
        vm.prank(requester);
        market.requestCancel(locked);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(requester);
        market.cancelTask(task);
        assertEq(market.openTaskHash(id), _hashOf(locked), "still locked");
        assertEq(market.claimable(requester), 0);
    }

    function test_RevertWhen_CancelTask_Twice() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        _cancelNow(task);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(requester);
        market.cancelTask(task);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(requester);
        market.requestCancel(task);
        assertEq(market.claimable(requester), ESCROW, "refunded once");
    }

    function test_RevertWhen_CancelTask_Verified() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        _fulfil(task, alice, _words(1));
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(requester);
        market.requestCancel(task);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        vm.prank(requester);
        market.cancelTask(task);
    }

    /// @dev Requesting and completing a cancellation stay open while paused (a pause cannot trap a requester's
    ///      escrow), but the notice only runs on unpaused time.
    function test_CancelTask_WorksWhilePaused() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        _pause();
        vm.prank(requester);
        market.requestCancel(task);
        vm.warp(block.timestamp + market.CANCEL_NOTICE());
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketNotCancellable.selector, id));
        vm.prank(requester);
        market.cancelTask(task);
        _unpauseMarket();
        vm.warp(block.timestamp + market.PAUSE_COOLDOWN());
        _pause();
        vm.prank(requester);
        market.cancelTask(task);
        vm.prank(requester);
        assertEq(market.claim(), ESCROW);
    }

    // ------------------------------------------------------------------ tampered tasks

    function test_RevertWhen_TaskFieldTampered() public {
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        for (uint256 field; field < 20; ++field) {
            ITaskMarket.Task memory t = _tamper(task, field, 0xdead_beef);
            bytes32 tid = _statementId(t.modelId, t.input);
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, tid));
            vm.prank(alice);
            market.lockTask(t);
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, tid));
            _fulfil(t, alice, _words(1));
            vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, tid));
            vm.prank(requester);
            market.cancelTask(t);
        }
    }

    function testFuzz_RevertWhen_TaskFieldTampered(uint256 field, uint256 salt, uint8 action) public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        action %= 4;
        if (action == 3) {
            task = _lock(task, alice);
            vm.warp(uint256(task.deadline) + 1);
        }
        ITaskMarket.Task memory t = _tamper(task, field, salt);
        assertTrue(keccak256(abi.encode(t)) != keccak256(abi.encode(task)), "tampered");
        bytes32 tid = _statementId(t.modelId, t.input);
        bytes32 stored = market.openTaskHash(id);

        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, tid));
        if (action == 0) {
            vm.prank(bob);
            market.lockTask(t);
        } else if (action == 1) {
            _fulfil(t, bob, _words(1));
        } else if (action == 2) {
            vm.prank(requester);
            market.cancelTask(t);
        } else {
            vm.prank(carol);
            market.slash(t);
        }
        assertEq(market.openTaskHash(id), stored, "record unchanged");
    }

    /// @dev The task is hashed straight from calldata. A non-canonical encoding of the same task (the input's
    ///      offset moved past a padding word) decodes to identical fields but hashes differently, so it is refused;
    ///      the canonical encoding of the same call succeeds.
    function test_RevertWhen_TaskCalldataNotCanonical() public {
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        vm.warp(uint256(task.deadline) + 1); // cancellable by anyone
        bytes memory canonical = abi.encodeCall(ITaskMarket.cancelTask, (task));
        // selector (4) | tuple offset 0x20 (32) | 20 head words | input length | input words
        uint256 offsetAt = 4 + 32 + 19 * 32;
        assertEq(uint256(_wordAt(canonical, offsetAt)), 0x280, "input offset");
        bytes memory padded = bytes.concat(
            _slice(canonical, 0, offsetAt),
            bytes32(uint256(0x2a0)),
            bytes32(0),
            _slice(canonical, offsetAt + 32, canonical.length)
        );

        vm.prank(requester);
        (bool ok, bytes memory ret) = address(market).call(padded);
        assertFalse(ok, "non-canonical encoding accepted");
        assertEq(ret, abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        assertEq(market.openTaskHash(id), _hashOf(task));

        vm.prank(requester);
        (ok,) = address(market).call(canonical);
        assertTrue(ok);
        assertEq(market.openTaskHash(id), bytes32(0));
        assertEq(market.claimable(requester), ESCROW);
    }

    function _wordAt(bytes memory b, uint256 at) private pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(b, 0x20), at))
        }
    }

    function _slice(bytes memory b, uint256 from, uint256 to) private pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i; i < out.length; ++i) {
            out[i] = b[from + i];
        }
    }

    // ------------------------------------------------------------------ life cycles

    function test_LifeCycle_PostLockFulfilClaim() public {
        uint256 stakes = 2 * uint256(MIN_STAKE);
        assertEq(token.balanceOf(address(market)), stakes);
        (ITaskMarket.Task memory task,) = _post(modelId, _input());
        assertEq(token.balanceOf(address(market)), stakes + ESCROW);
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        assertEq(token.balanceOf(address(market)), stakes + ESCROW, "locking moves no tokens");
        _fulfil(locked, alice, _words(3));
        assertEq(token.balanceOf(address(market)), stakes + ESCROW, "fulfilling moves no tokens");

        vm.expectEmit(true, false, false, true, address(market));
        emit IRewards.Claimed(alice, BOUNTY);
        vm.prank(alice);
        assertEq(market.claim(), BOUNTY);
        assertEq(token.balanceOf(alice), BOUNTY);
        assertEq(token.balanceOf(address(market)), stakes + FEE, "the fee waits for the treasury");
        assertEq(market.totalStaked(), stakes);
        assertEq(market.claimable(alice), 0);
        assertEq(market.freeStakeOf(alice), MIN_STAKE);

        // The fee is the treasury's once the epoch ends.
        assertEq(market.claimable(admin), 0);
        vm.warp(block.timestamp + EPOCH);
        assertEq(market.claimable(admin), FEE);
        vm.prank(admin);
        assertEq(market.claim(), FEE);
        assertEq(token.balanceOf(address(market)), stakes);
    }

    function test_LifeCycle_PostLockSlashClaims() public {
        uint256 stakes = 2 * uint256(MIN_STAKE);
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, _input());
        ITaskMarket.Task memory locked = _lock(_clone(task), alice);
        vm.warp(uint256(task.deadline) + 1);
        vm.prank(carol);
        market.slash(locked);
        // 50e18 collateral: 25 requester, 5 caller, 10 burned, 10 treasury.
        assertEq(token.balanceOf(BURN), 10e18);
        assertEq(token.balanceOf(address(market)), stakes + ESCROW - 10e18);
        assertEq(market.totalStaked(), stakes - COLLATERAL);

        vm.prank(requester);
        assertEq(market.claim(), 25e18 + ESCROW);
        vm.prank(carol);
        assertEq(market.claim(), 5e18);
        vm.prank(admin);
        assertEq(market.claim(), 10e18);
        assertEq(token.balanceOf(requester), 25e18 + ESCROW);
        assertEq(token.balanceOf(carol), 5e18);
        assertEq(token.balanceOf(admin), 10e18);
        assertEq(token.balanceOf(address(market)), stakes - COLLATERAL);
        assertEq(token.balanceOf(address(market)), market.totalStaked());

        // The statement is free again.
        (ITaskMarket.Task memory again, bytes32 id2) = _post(modelId, task.input);
        assertEq(id2, id);
        _fulfil(again, bob, _words(4));
        (bool verified,) = market.verifiedOutput(modelId, _inputCommitment(task.input));
        assertTrue(verified);
    }

    function test_LifeCycle_PostCancelRepost() public {
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        _cancelNow(task);
        vm.prank(requester);
        market.claim();
        assertEq(token.balanceOf(requester), ESCROW);
        assertEq(token.balanceOf(address(market)), 2 * uint256(MIN_STAKE));

        // Re-post with other terms; the old struct no longer matches.
        (ITaskMarket.Task memory again, bytes32 id2) =
            _postWith(requester, modelId, input, 2 * BOUNTY, COLLATERAL, block.timestamp + 2 hours);
        assertEq(id2, id);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketUnknownTask.selector, id));
        _fulfil(task, alice, _words(1));
        _fulfil(again, alice, _words(1));
        assertEq(market.claimable(alice), 2 * BOUNTY);
    }

    function test_LifeCycle_UnlockedFulfilThenNoRepost() public {
        uint256[] memory input = _input();
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        _fulfil(task, bob, _words(8));
        vm.prank(bob);
        assertEq(market.claim(), BOUNTY);
        assertEq(token.balanceOf(bob), BOUNTY);
        assertEq(token.balanceOf(address(market)), 2 * uint256(MIN_STAKE) + FEE);

        _approve(requester, ESCROW);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketStatementTaken.selector, id));
        vm.prank(requester);
        market.postTask(modelId, input, BOUNTY, COLLATERAL, _deadline(), "");
        (bool verified, uint256[] memory stored) = market.verifiedOutput(modelId, _inputCommitment(input));
        assertTrue(verified);
        assertEq(stored, _words(8));
    }
}
