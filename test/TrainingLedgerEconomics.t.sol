// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {TrainingLedger} from "../contracts/TrainingLedger.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {ITrainingLedger} from "../contracts/interfaces/ITrainingLedger.sol";
import {Statement} from "../contracts/libraries/Statement.sol";
import {MlproofToken} from "../contracts/token/MlproofToken.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";

/// @notice The economic-security properties of TrainingLedger (issue 14, items 5–7), each with a test that fails on
///         the claim-based, head-keyed, single-pool ledger it replaced:
///         - unbiasable seeds: the seed is fixed by the lineage, the same for any number of addresses, and no
///           other seed verifies; each entry's step word is the number of SGD steps it extends (k > 1 included);
///         - rewards by contribution: an evaluation of an older head pays only the entries that produced it; steps
///           submitted after it get nothing from it and stay eligible for a later improvement;
///         - budgets: a funder names the evaluation verifier it accepts, deprecated models take no funding, shares
///           are refundable pro rata after deprecation or FUNDING_TIMEOUT without a step, and an improvement the
///           budget cannot pay reverts and consumes nothing.
contract TrainingLedgerEconomicsTest is Test {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint48 internal constant ADMIN_DELAY = 2 days;
    uint64 internal constant WORK_UNITS = 7;
    bytes32 internal constant DATASET_ROOT = bytes32(uint256(0xda7a));
    uint256 internal constant EVAL_ROOT = 0xe7a1;
    uint256 internal constant HEAD0 = 0x4ead0;
    uint256 internal constant POINT_REWARD = 1e18;
    uint32 internal constant TOTAL = 360;
    uint64 internal constant LOSS = 99;

    ModelRegistry internal registry;
    TrainingLedger internal ledger;
    MlproofToken internal token;
    MockGroth16Verifier internal verifier;
    MockGroth16Verifier internal evalVerifier;
    uint256 internal modelId;

    address internal admin = makeAddr("admin");
    address internal owner = makeAddr("owner");
    address internal prover = makeAddr("prover");
    address internal late = makeAddr("late");
    address internal evaluator = makeAddr("evaluator");
    address internal funderA = makeAddr("funderA");
    address internal funderB = makeAddr("funderB");

    uint256[8] internal proof;
    uint256 internal _headNonce;

    function setUp() public {
        vm.roll(1_000);
        vm.warp(1_700_000_000);
        registry = new ModelRegistry(admin, ADMIN_DELAY);
        token = new MlproofToken(address(this));
        ledger = new TrainingLedger(registry, IERC20(address(token)), admin, ADMIN_DELAY);
        verifier = new MockGroth16Verifier(5);
        evalVerifier = new MockGroth16Verifier(5);
        vm.prank(admin);
        modelId = registry.registerModel(
            IModelRegistry.ModelParams({
                verifier: address(verifier),
                kind: IModelRegistry.Kind.Training,
                commitment: keccak256("train"),
                privateWeights: false,
                weightsCommitment: 0,
                inputWords: 4,
                outputWords: 1,
                workUnits: WORK_UNITS,
                previous: 0,
                owner: owner,
                metadataURI: "ipfs://train"
            })
        );
        address[2] memory funders = [funderA, funderB];
        for (uint256 i; i < 2; ++i) {
            token.mint(funders[i], 1_000_000e18);
            vm.prank(funders[i]);
            token.approve(address(ledger), type(uint256).max);
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    function _init(uint256 stepReward, uint256 pointReward, uint64 k) internal {
        vm.prank(owner);
        ledger.initTraining(
            modelId,
            ITrainingLedger.TrainingParams({
                datasetRoot: DATASET_ROOT,
                evalRoot: EVAL_ROOT,
                initialHead: HEAD0,
                evalVerifier: address(evalVerifier),
                stepReward: stepReward,
                pointReward: pointReward,
                stepsPerProof: k
            })
        );
    }

    function _fund(address who, uint256 amount) internal {
        vm.prank(who);
        ledger.fund(modelId, amount, address(evalVerifier));
    }

    /// @dev The lineage seed, computed here independently of the contract.
    function _seedFor(uint256 head, uint64 steps) internal view returns (uint256) {
        bytes32 domain = keccak256("mlproof.training.seed.v1");
        return uint256(keccak256(abi.encode(domain, block.chainid, address(ledger), modelId, head, steps))) % R;
    }

    /// @dev One verified entry by `who` to a fresh head, with the exact public inputs.
    function _step(address who) internal returns (uint256 headAfter) {
        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        headAfter = uint256(keccak256(abi.encode("head", ++_headNonce))) % (R - 1) + 1;
        uint256[] memory inputs =
            Statement.trainStep(t.head, headAfter, uint256(DATASET_ROOT), _seedFor(t.head, t.steps), t.steps, who);
        verifier.setExpectedInputsHash(keccak256(abi.encodePacked(inputs)));
        vm.prank(who);
        ledger.submitStep(modelId, t.head, headAfter, proof);
    }

    function _armEval(uint64 position, uint32 correct) internal {
        uint256 head = ledger.headAt(modelId, position);
        uint256[] memory inputs = Statement.evaluation(head, EVAL_ROOT, correct, LOSS, TOTAL, evaluator);
        evalVerifier.setExpectedInputsHash(keccak256(abi.encodePacked(inputs)));
    }

    function _eval(uint64 position, uint32 correct) internal {
        _armEval(position, correct);
        vm.prank(evaluator);
        ledger.submitEval(modelId, position, correct, TOTAL, LOSS, proof);
    }

    // --- (5) unbiasable seeds ----------------------------------------------------------------------------------

    /// @dev Any number of addresses, at any block, all see one seed, the lineage's; a proof for another seed (what a
    ///      sybil would want to shop for) never verifies, whoever submits it.
    function testFuzz_seed_sameForEveryAddress(uint8 n, uint256 salt, uint256 delay, uint256 otherSeed) public {
        _init(0, 0, 1);
        n = uint8(bound(n, 1, 40));
        _step(prover); // a lineage with some history
        uint256 expected = _seedFor(ledger.headOf(modelId), 1);
        otherSeed = bound(otherSeed, 0, R - 1);
        vm.assume(otherSeed != expected);
        for (uint256 i; i < n; ++i) {
            address who = address(uint160(uint256(keccak256(abi.encode(salt, i)))));
            vm.assume(who != address(0));
            vm.roll(block.number + bound(delay, 0, 1_000));
            vm.prank(who);
            assertEq(ledger.seedOf(modelId), expected, "a seed depends on the caller or the block");

            uint256 head = ledger.headOf(modelId);
            uint256[] memory inputs = Statement.trainStep(head, 0x1234, uint256(DATASET_ROOT), otherSeed, 1, who);
            verifier.setExpectedInputsHash(keccak256(abi.encodePacked(inputs)));
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidProof.selector, modelId, 1));
            vm.prank(who);
            ledger.submitStep(modelId, head, 0x1234, proof);
        }
    }

    /// @dev The seed is bound to the chain, the ledger, the model, the head and the step count.
    function test_seed_domainSeparated() public {
        _init(0, 0, 1);
        uint256 s0 = ledger.seedOf(modelId);
        assertEq(s0, _seedFor(HEAD0, 0));
        vm.chainId(block.chainid + 1);
        assertTrue(ledger.seedOf(modelId) != s0, "chain id");
        assertEq(ledger.seedOf(modelId), _seedFor(HEAD0, 0));
        _step(prover);
        assertEq(ledger.seedOf(modelId), _seedFor(ledger.headOf(modelId), 1));
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInitialized.selector, modelId + 1));
        ledger.seedOf(modelId + 1);
    }

    /// @dev With k SGD steps per proof, entry i carries step word i·k, the seed uses it, StepVerified reports it and
    ///      `steps` counts SGD steps; a proof carrying the entry index instead of the step count is refused.
    function testFuzz_stepNumbering_kStepsPerProof(uint64 k, uint8 entries) public {
        k = uint64(bound(k, 2, 64));
        entries = uint8(bound(entries, 1, 12));
        _init(0, 0, k);
        for (uint64 i; i < entries; ++i) {
            ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
            assertEq(t.steps, i * k);
            // The index as step word does not verify (for i > 0 it differs from i·k).
            uint256[] memory wrong =
                Statement.trainStep(t.head, 0x77, uint256(DATASET_ROOT), _seedFor(t.head, t.steps), i, prover);
            verifier.setExpectedInputsHash(keccak256(abi.encodePacked(wrong)));
            if (i != 0) {
                vm.expectRevert(
                    abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidProof.selector, modelId, i * k)
                );
                vm.prank(prover);
                ledger.submitStep(modelId, t.head, 0x77, proof);
            }
            uint256 headAfter = uint256(keccak256(abi.encode("k", i))) % (R - 1) + 1;
            uint256[] memory inputs =
                Statement.trainStep(t.head, headAfter, uint256(DATASET_ROOT), _seedFor(t.head, i * k), i * k, prover);
            verifier.setExpectedInputsHash(keccak256(abi.encodePacked(inputs)));
            vm.expectEmit(address(ledger));
            emit ITrainingLedger.StepVerified(modelId, i * k, t.head, headAfter, prover);
            vm.prank(prover);
            ledger.submitStep(modelId, t.head, headAfter, proof);
            assertEq(ledger.lineageAt(modelId, i).step, i * k);
        }
        assertEq(ledger.trainingOf(modelId).steps, uint64(entries) * k);
        assertEq(ledger.lineageLength(modelId), entries);
        assertEq(ledger.workOf(prover), uint256(entries) * WORK_UNITS, "work units are per proof");
    }

    // --- (6) rewards by contribution ---------------------------------------------------------------------------

    /// @dev Honest provers produce the head at position p; `late` appends entries after it before anyone evaluates.
    ///      The evaluation of position p pays the honest entries only, pro rata; `late` gets nothing from it, and
    ///      its entries wait in the open epoch for a later improvement, which pays them.
    function testFuzz_freeRider_getsNothingFromAnEarlierHead(uint8 honestA, uint8 honestB, uint8 lateSteps, uint32 gain)
        public
    {
        uint256 a = bound(honestA, 1, 8);
        uint256 b = bound(honestB, 0, 8);
        uint256 n = bound(lateSteps, 1, 8);
        gain = uint32(bound(gain, 1, 100));
        _init(0, POINT_REWARD, 1);
        _fund(funderA, 1_000e18);
        _eval(0, 100); // baseline on the initial head
        address other = makeAddr("honestB");
        for (uint256 i; i < a + b; ++i) {
            _step(i < a ? prover : other);
        }
        uint64 p = uint64(a + b);
        for (uint256 i; i < n; ++i) {
            _step(late);
        }

        _eval(p, 100 + gain); // the head after the honest entries, evaluated after the late ones landed
        ITrainingLedger.EpochTotals memory e = ledger.epochOf(modelId, 1);
        assertEq(e.start, 0);
        assertEq(e.end, p, "the epoch ends at the evaluated head");
        assertEq(e.work, (a + b) * WORK_UNITS);
        uint256 reward = uint256(gain) * POINT_REWARD;
        assertEq(e.reward, reward);

        assertEq(ledger.epochWorkOf(modelId, 1, late), 0);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToClaim.selector, modelId, uint64(1), late)
        );
        vm.prank(late);
        ledger.claimImprovement(modelId, 1);

        vm.prank(prover);
        ledger.claimImprovement(modelId, 1);
        assertEq(ledger.creditsOf(prover), reward * a / (a + b));
        if (b != 0) {
            vm.prank(other);
            ledger.claimImprovement(modelId, 1);
            assertEq(ledger.creditsOf(other), reward * b / (a + b));
        }

        // The late entries are the open epoch's, and a later improvement at the tip pays them (and only them).
        assertEq(ledger.epochWorkOf(modelId, 2, late), n * WORK_UNITS);
        _eval(uint64(p + n), 100 + gain + 1);
        vm.prank(late);
        ledger.claimImprovement(modelId, 2);
        assertEq(ledger.creditsOf(late), POINT_REWARD);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToClaim.selector, modelId, uint64(2), prover)
        );
        vm.prank(prover);
        ledger.claimImprovement(modelId, 2);
    }

    /// @dev Positions are evaluated in increasing order: once position p is evaluated, an older one cannot be, so
    ///      an epoch can never be re-split.
    function test_RevertWhen_SubmitEval_OlderThanTheLastEvaluation() public {
        _init(0, POINT_REWARD, 1);
        _fund(funderA, 1_000e18);
        _step(prover);
        _step(prover);
        _eval(2, 10);
        _armEval(1, 50);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidEvalPosition.selector, modelId, 1, 3, 2)
        );
        vm.prank(evaluator);
        ledger.submitEval(modelId, 1, 50, TOTAL, LOSS, proof);
    }

    // --- (7) budgets -------------------------------------------------------------------------------------------

    function test_RevertWhen_Fund_ModelDeprecated() public {
        _init(0, 0, 1);
        vm.prank(owner);
        registry.deprecateModel(modelId);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerModelDeprecated.selector, modelId));
        _fund(funderA, 1e18);
    }

    /// @dev A funder states the evaluation verifier it pays for; any other address is refused.
    function testFuzz_RevertWhen_Fund_EvalVerifierMismatch(address named) public {
        vm.assume(named != address(evalVerifier));
        _init(0, 0, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingLedger.TrainingLedgerEvalVerifierMismatch.selector, modelId, address(evalVerifier), named
            )
        );
        vm.prank(funderA);
        ledger.fund(modelId, 1e18, named);
        assertEq(ledger.trainingOf(modelId).budget, 0);
    }

    /// @dev Two funders 3:1; step rewards spend part of the budget; after deprecation each gets its pro-rata part of
    ///      what is left, and the ledger keeps only the provers' credits.
    function test_refund_afterDeprecation_proRata() public {
        _init(10e18, 0, 1);
        _fund(funderA, 300e18);
        _fund(funderB, 100e18);
        assertEq(ledger.sharesOf(modelId, funderA), 300e18);
        assertEq(ledger.sharesOf(modelId, funderB), 100e18);
        _step(prover);
        _step(prover); // 20 spent: 380 left
        vm.prank(owner);
        registry.deprecateModel(modelId);

        uint256 beforeA = token.balanceOf(funderA);
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.TrainingRefunded(modelId, funderA, 285e18, 300e18);
        vm.prank(funderA);
        ledger.refund(modelId);
        assertEq(token.balanceOf(funderA) - beforeA, 285e18);
        vm.prank(funderB);
        ledger.refund(modelId);
        assertEq(token.balanceOf(funderB), 1_000_000e18 - 100e18 + 95e18);
        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertEq(t.budget, 0);
        assertEq(t.totalShares, 0);
        assertEq(token.balanceOf(address(ledger)), ledger.creditsOf(prover));
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToRefund.selector, modelId, funderA)
        );
        vm.prank(funderA);
        ledger.refund(modelId);
    }

    /// @dev Refunds open FUNDING_TIMEOUT after the last verified step (or after initTraining), not a second before;
    ///      a new step locks them again.
    function test_refund_afterTimeoutWithoutStep() public {
        _init(0, 0, 1);
        uint256 t0 = block.timestamp;
        _fund(funderA, 50e18);
        vm.warp(t0 + 30 days - 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerRefundLocked.selector, modelId, t0 + 30 days)
        );
        vm.prank(funderA);
        ledger.refund(modelId);

        _step(prover); // the run is alive: the clock restarts
        uint256 t1 = block.timestamp;
        vm.warp(t1 + 30 days - 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerRefundLocked.selector, modelId, t1 + 30 days)
        );
        vm.prank(funderA);
        ledger.refund(modelId);
        vm.warp(t1 + 30 days);
        vm.prank(funderA);
        ledger.refund(modelId);
        assertEq(token.balanceOf(funderA), 1_000_000e18);
    }

    function test_RevertWhen_Refund_BeforeDeprecationOrTimeout() public {
        _init(0, 0, 1);
        _fund(funderA, 50e18);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingLedger.TrainingLedgerRefundLocked.selector, modelId, block.timestamp + 30 days
            )
        );
        vm.prank(funderA);
        ledger.refund(modelId);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToRefund.selector, modelId, funderB)
        );
        vm.prank(funderB);
        ledger.refund(modelId);
    }

    /// @dev Funding after part of the budget is spent buys shares at the lower price, so earlier funders bear what
    ///      was spent before the later one joined: refunds are exactly pro rata to what each share is worth.
    function testFuzz_refund_sharesPriceAfterSpending(uint256 first, uint256 second, uint8 steps) public {
        first = bound(first, 1e18, 1_000e18);
        second = bound(second, 1, 1_000e18);
        uint256 n = bound(steps, 0, 5);
        _init(1e17, 0, 1);
        _fund(funderA, first);
        for (uint256 i; i < n; ++i) {
            _step(prover);
        }
        uint256 budget = ledger.trainingOf(modelId).budget;
        vm.assume(budget != 0);
        _fund(funderB, second);
        vm.prank(owner);
        registry.deprecateModel(modelId);
        vm.prank(funderB);
        ledger.refund(modelId);
        // B paid `second` for `second·first/budget` shares and gets back at most `second` (floors), within 1 wei.
        uint256 got = token.balanceOf(funderB) + second - 1_000_000e18;
        assertLe(got, second);
        assertGe(got + 2, second);
        vm.prank(funderA);
        ledger.refund(modelId);
        assertEq(ledger.trainingOf(modelId).budget, 0, "the last funder takes the rest");
        assertEq(token.balanceOf(address(ledger)), ledger.creditsOf(prover));
    }

    /// @dev A budget spent to 0 leaves its shares worthless: the next funder starts a new era and owns it all.
    function test_fund_newEraAfterBudgetSpent() public {
        _init(10e18, 0, 1);
        _fund(funderA, 15e18);
        _step(prover);
        _step(prover); // pays 10 then 5: budget 0
        assertEq(ledger.trainingOf(modelId).budget, 0);
        _fund(funderB, 40e18);
        assertEq(ledger.sharesOf(modelId, funderA), 0, "old era");
        assertEq(ledger.sharesOf(modelId, funderB), 40e18);
        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertEq(t.shareEra, 1);
        assertEq(t.totalShares, 40e18);
        assertEq(t.budget, 40e18);
        vm.prank(owner);
        registry.deprecateModel(modelId);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToRefund.selector, modelId, funderA)
        );
        vm.prank(funderA);
        ledger.refund(modelId);
        vm.prank(funderB);
        ledger.refund(modelId);
        assertEq(token.balanceOf(funderB), 1_000_000e18);
    }

    /// @dev An improvement the budget cannot pay in full reverts with the exact shortfall and consumes nothing: the
    ///      best score, the epoch, the evaluated position and the budget stay; funded, the same evaluation pays.
    function testFuzz_RevertWhen_SubmitEval_BudgetShort_ConsumesNothing(uint256 funded, uint32 gain) public {
        gain = uint32(bound(gain, 2, 200));
        funded = bound(funded, 1, uint256(gain) * POINT_REWARD - 1);
        _init(0, POINT_REWARD, 1);
        _fund(funderA, funded);
        _eval(0, 100);
        _step(prover);
        ITrainingLedger.Training memory before = ledger.trainingOf(modelId);

        uint256 need = uint256(gain) * POINT_REWARD;
        _armEval(1, 100 + gain);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerBudgetShort.selector, modelId, need, funded)
        );
        vm.prank(evaluator);
        ledger.submitEval(modelId, 1, 100 + gain, TOTAL, LOSS, proof);
        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertEq(t.bestCorrect, before.bestCorrect);
        assertEq(t.epoch, before.epoch);
        assertEq(t.nextEval, before.nextEval);
        assertEq(t.budget, funded);
        assertEq(ledger.scoreAt(modelId, 1).total, 0);

        _fund(funderB, need - funded);
        _eval(1, 100 + gain);
        assertEq(ledger.epochOf(modelId, 1).reward, need);
        vm.prank(prover);
        ledger.claimImprovement(modelId, 1);
        assertEq(ledger.creditsOf(prover), need, "the improvement was not burnt");
    }
}
