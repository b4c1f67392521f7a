// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {TrainingLedger} from "../contracts/TrainingLedger.sol";
import {IGroth16Verifier} from "../contracts/interfaces/IGroth16Verifier.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {ITrainingLedger} from "../contracts/interfaces/ITrainingLedger.sol";
import {Statement} from "../contracts/libraries/Statement.sol";
import {MlproofToken} from "../contracts/token/MlproofToken.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";
import {ReentrantToken} from "./utils/ReentrantToken.sol";

/// @notice Unit and fuzz tests of TrainingLedger against the real ModelRegistry, the MlproofToken as reward token
///         and mock verifiers that check the exact public inputs: `[headBefore, headAfter, datasetRoot, seed,
///         step + prover·2^88]` for a step and `[head, evalRoot, correct, lossSum, total + evaluator·2^88]` for an
///         evaluation.
contract TrainingLedgerTest is Test {
    /// @dev BN254 scalar field modulus r.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint48 internal constant ADMIN_DELAY = 2 days;
    uint64 internal constant WORK_UNITS = 7;
    uint256 internal constant START_BLOCK = 1_000;

    bytes32 internal constant DATASET_ROOT = bytes32(uint256(0xda7a));
    uint256 internal constant EVAL_ROOT = 0xe7a1;
    uint256 internal constant HEAD0 = 0x4ead0;
    uint256 internal constant STEP_REWARD = 5e18;
    uint256 internal constant POINT_REWARD = 1e18;
    uint256 internal constant FUNDED = 1_000e18;
    uint32 internal constant TOTAL = 360;
    uint64 internal constant LOSS = 123_456;

    ModelRegistry internal registry;
    TrainingLedger internal ledger;
    MlproofToken internal token;
    MockGroth16Verifier internal verifier;
    MockGroth16Verifier internal evalVerifier;
    uint256 internal modelId;

    address internal admin = makeAddr("admin");
    address internal owner = makeAddr("owner");
    address internal prover = makeAddr("prover");
    address internal other = makeAddr("other");
    address internal funder = makeAddr("funder");

    uint256[8] internal proof;

    function setUp() public {
        vm.roll(START_BLOCK);
        registry = new ModelRegistry(admin, ADMIN_DELAY);
        token = new MlproofToken(address(this));
        ledger = new TrainingLedger(registry, IERC20(address(token)), admin, ADMIN_DELAY);
        verifier = new MockGroth16Verifier(5);
        evalVerifier = new MockGroth16Verifier(5);
        modelId = _registerTraining(address(verifier), 4, 1, IModelRegistry.Kind.Training);
        token.mint(funder, 1_000_000e18);
        vm.prank(funder);
        token.approve(address(ledger), type(uint256).max);
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    function _registerTraining(address v, uint32 inputWords, uint32 outputWords, IModelRegistry.Kind kind)
        internal
        returns (uint256 id)
    {
        vm.prank(admin);
        id = registry.registerModel(
            IModelRegistry.ModelParams({
                verifier: v,
                kind: kind,
                commitment: keccak256("train"),
                privateWeights: false,
                weightsCommitment: 0,
                inputWords: inputWords,
                outputWords: outputWords,
                workUnits: WORK_UNITS,
                previous: 0,
                owner: owner,
                metadataURI: "ipfs://train"
            })
        );
    }

    function _params(bytes32 datasetRoot, uint256 evalRoot, uint256 initialHead)
        internal
        view
        returns (ITrainingLedger.TrainingParams memory)
    {
        return _params(datasetRoot, evalRoot, initialHead, STEP_REWARD, POINT_REWARD);
    }

    function _params(
        bytes32 datasetRoot,
        uint256 evalRoot,
        uint256 initialHead,
        uint256 stepReward,
        uint256 pointReward
    ) internal view returns (ITrainingLedger.TrainingParams memory) {
        return ITrainingLedger.TrainingParams({
            datasetRoot: datasetRoot,
            evalRoot: evalRoot,
            initialHead: initialHead,
            evalVerifier: address(evalVerifier),
            stepReward: stepReward,
            pointReward: pointReward,
            stepsPerProof: 1
        });
    }

    function _init() internal {
        vm.prank(owner);
        ledger.initTraining(modelId, _params(DATASET_ROOT, EVAL_ROOT, HEAD0));
    }

    /// @dev Initializes with the given reward rates.
    function _initWith(uint256 stepReward, uint256 pointReward) internal {
        vm.prank(owner);
        ledger.initTraining(modelId, _params(DATASET_ROOT, EVAL_ROOT, HEAD0, stepReward, pointReward));
    }

    function _fund(uint256 amount) internal {
        vm.prank(funder);
        ledger.fund(modelId, amount, address(evalVerifier));
    }

    /// @dev The seed the ledger must use for the entry extending `head` at step count `steps`, computed here
    ///      independently of the contract.
    function _seedFor(uint256 head, uint64 steps) internal view returns (uint256) {
        return uint256(
            keccak256(
                abi.encode(keccak256("mlproof.training.seed.v1"), block.chainid, address(ledger), modelId, head, steps)
            )
        ) % R;
    }

    /// @dev The seed of the model's next entry.
    function _nextSeed() internal view returns (uint256) {
        return _seedFor(ledger.headOf(modelId), ledger.trainingOf(modelId).steps);
    }

    /// @dev One verified step by `who` from the current head to `headAfter` (lineage seed, exact inputs, submit).
    function _step(address who, uint256 headAfter) internal {
        uint256 head = ledger.headOf(modelId);
        uint64 step = ledger.trainingOf(modelId).steps;
        _expect(head, headAfter, _nextSeed(), step, who);
        vm.prank(who);
        ledger.submitStep(modelId, head, headAfter, proof);
        vm.roll(block.number + 1);
    }

    function _evalInputs(uint256 head, uint32 correct, uint32 total, uint64 lossSum, address who)
        internal
        pure
        returns (uint256[] memory inputs)
    {
        return Statement.evaluation(head, EVAL_ROOT, correct, lossSum, total, who);
    }

    /// @dev Arms the evaluation verifier to accept only the exact inputs of `who` evaluating the current head.
    function _expectEval(uint32 correct, uint32 total, uint64 lossSum, address who) internal {
        uint256 head = ledger.headOf(modelId);
        evalVerifier.setExpectedInputsHash(keccak256(abi.encodePacked(_evalInputs(head, correct, total, lossSum, who))));
    }

    /// @dev The lineage tip: the position of the current head.
    function _tip() internal view returns (uint64) {
        return uint64(ledger.lineageLength(modelId));
    }

    /// @dev A verified evaluation of the current head with `correct` out of TOTAL, by `who`.
    function _eval(address who, uint32 correct) internal {
        _expectEval(correct, TOTAL, LOSS, who);
        uint64 position = _tip();
        vm.prank(who);
        ledger.submitEval(modelId, position, correct, TOTAL, LOSS, proof);
    }

    function _inputs(uint256 headBefore, uint256 headAfter, uint256 seed, uint64 step, address who)
        internal
        pure
        returns (uint256[] memory inputs)
    {
        return Statement.trainStep(headBefore, headAfter, uint256(DATASET_ROOT), seed, step, who);
    }

    function _expect(uint256 headBefore, uint256 headAfter, uint256 seed, uint64 step, address who) internal {
        verifier.setExpectedInputsHash(keccak256(abi.encodePacked(_inputs(headBefore, headAfter, seed, step, who))));
    }

    // --- constructor and constants ---------------------------------------------------------------------------

    function test_constructor() public view {
        assertEq(ledger.registry(), address(registry));
        assertEq(ledger.rewardToken(), address(token));
        assertEq(ledger.defaultAdmin(), admin);
        assertEq(ledger.defaultAdminDelay(), ADMIN_DELAY);
        assertEq(ledger.SEED_DOMAIN(), keccak256("mlproof.training.seed.v1"));
        assertEq(ledger.FUNDING_TIMEOUT(), 30 days);
        assertTrue(ledger.hasRole(ledger.DEFAULT_ADMIN_ROLE(), admin));
    }

    // --- initTraining -----------------------------------------------------------------------------------------

    function test_initTraining_setsStateAndEmits() public {
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.TrainingInitialized(
            modelId, DATASET_ROOT, EVAL_ROOT, HEAD0, address(verifier), address(evalVerifier), STEP_REWARD, POINT_REWARD
        );
        _init();

        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertEq(t.datasetRoot, DATASET_ROOT);
        assertEq(t.evalRoot, EVAL_ROOT);
        assertEq(t.head, HEAD0);
        assertEq(t.verifier, address(verifier));
        assertEq(t.steps, 0);
        assertEq(t.workUnits, WORK_UNITS);
        assertEq(t.evalVerifier, address(evalVerifier));
        assertEq(t.stepReward, STEP_REWARD);
        assertEq(t.pointReward, POINT_REWARD);
        assertEq(t.budget, 0);
        assertEq(t.epoch, 0);
        assertEq(t.bestCorrect, 0);
        assertFalse(t.hasBaseline);
        assertEq(ledger.headOf(modelId), HEAD0);
        assertEq(ledger.lineageLength(modelId), 0);
    }

    function test_initTraining_acceptsLargestFieldElements() public {
        vm.prank(owner);
        ledger.initTraining(modelId, _params(bytes32(R - 1), R - 1, R - 1));
        assertEq(ledger.headOf(modelId), R - 1);
    }

    function test_initTraining_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotModelOwner.selector, modelId, admin));
        vm.prank(admin); // even a registrar/admin is not the model owner
        ledger.initTraining(modelId, _params(DATASET_ROOT, EVAL_ROOT, HEAD0));
    }

    function test_initTraining_revertsForInferenceModel() public {
        uint256 inference = _registerTraining(address(verifier), 4, 1, IModelRegistry.Kind.Inference);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotTrainingModel.selector, inference));
        vm.prank(owner);
        ledger.initTraining(inference, _params(DATASET_ROOT, EVAL_ROOT, HEAD0));
    }

    function test_initTraining_revertsForDeprecatedModel() public {
        vm.prank(owner);
        registry.deprecateModel(modelId);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotTrainingModel.selector, modelId));
        _init();
    }

    function test_initTraining_revertsForWrongLayout() public {
        uint256 bad = _registerTraining(address(verifier), 3, 2, IModelRegistry.Kind.Training);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingLedger.TrainingLedgerInvalidLayout.selector, bad, uint32(3), uint32(2), false
            )
        );
        vm.prank(owner);
        ledger.initTraining(bad, _params(DATASET_ROOT, EVAL_ROOT, HEAD0));
    }

    function test_initTraining_revertsForUnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 99));
        vm.prank(owner);
        ledger.initTraining(99, _params(DATASET_ROOT, EVAL_ROOT, HEAD0));
    }

    function test_initTraining_revertsWhenAlreadyInitialized() public {
        _init();
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerAlreadyInitialized.selector, modelId));
        vm.prank(owner);
        ledger.initTraining(modelId, _params(bytes32(uint256(1)), 2, 3));
    }

    function test_RevertWhen_InitTraining_EvalVerifierHasNoCode() public {
        address[2] memory bad = [address(0), makeAddr("eoa")];
        for (uint256 i; i < bad.length; ++i) {
            ITrainingLedger.TrainingParams memory p = _params(DATASET_ROOT, EVAL_ROOT, HEAD0);
            p.evalVerifier = bad[i];
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidEvalVerifier.selector, bad[i]));
            vm.prank(owner);
            ledger.initTraining(modelId, p);
        }
    }

    function test_RevertWhen_InitTraining_StepsPerProofOutOfRange() public {
        uint64[2] memory bad = [uint64(0), 65];
        for (uint256 i; i < bad.length; ++i) {
            ITrainingLedger.TrainingParams memory p = _params(DATASET_ROOT, EVAL_ROOT, HEAD0);
            p.stepsPerProof = bad[i];
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidStepsPerProof.selector, bad[i]));
            vm.prank(owner);
            ledger.initTraining(modelId, p);
        }
    }

    function test_submitStep_kStepsPerProofAdvanceTheStepCountByK() public {
        ITrainingLedger.TrainingParams memory p = _params(DATASET_ROOT, EVAL_ROOT, HEAD0);
        p.stepsPerProof = 4;
        vm.prank(owner);
        ledger.initTraining(modelId, p);
        assertEq(ledger.trainingOf(modelId).stepsPerProof, 4);

        // First proof: steps 0..3, public step word 0.
        uint256 seed = _seedFor(HEAD0, 0);
        assertEq(ledger.seedOf(modelId), seed);
        _expect(HEAD0, 0x1111, seed, 0, prover);
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x1111, proof);
        assertEq(ledger.trainingOf(modelId).steps, 4);
        assertEq(ledger.lineageAt(modelId, 0).step, 0);

        // The next entry extends 4 SGD steps: its seed and its proof carry step 4 (not 1).
        vm.roll(block.number + 1);
        seed = _seedFor(0x1111, 4);
        assertEq(ledger.seedOf(modelId), seed);
        _expect(0x1111, 0x2222, seed, 1, other);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidProof.selector, modelId, 4));
        vm.prank(other);
        ledger.submitStep(modelId, 0x1111, 0x2222, proof);
        _expect(0x1111, 0x2222, seed, 4, other);
        vm.prank(other);
        ledger.submitStep(modelId, 0x1111, 0x2222, proof);
        assertEq(ledger.trainingOf(modelId).steps, 8);
        assertEq(ledger.lineageAt(modelId, 1).step, 4);
        assertEq(ledger.lineageLength(modelId), 2);
        assertEq(ledger.workOf(other), WORK_UNITS, "work units are per proof");
    }

    function test_initTraining_revertsForOutOfFieldValues() public {
        uint256[2] memory bad = [uint256(0), R];
        for (uint256 i; i < bad.length; ++i) {
            vm.startPrank(owner);
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInField.selector, bad[i]));
            ledger.initTraining(modelId, _params(bytes32(bad[i]), EVAL_ROOT, HEAD0));
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInField.selector, bad[i]));
            ledger.initTraining(modelId, _params(DATASET_ROOT, bad[i], HEAD0));
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInField.selector, bad[i]));
            ledger.initTraining(modelId, _params(DATASET_ROOT, EVAL_ROOT, bad[i]));
            vm.stopPrank();
        }
        uint256 max = type(uint256).max;
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInField.selector, max));
        vm.prank(owner);
        ledger.initTraining(modelId, _params(DATASET_ROOT, EVAL_ROOT, max));
    }

    // --- submitStep: reverts ----------------------------------------------------------------------------------

    function test_submitStep_revertsWhenNotInitialized() public {
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInitialized.selector, modelId));
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    function test_submitStep_revertsForNotHead() public {
        _init();
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotHead.selector, modelId, HEAD0 + 1, HEAD0)
        );
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0 + 1, 0x11, proof);
    }

    function test_submitStep_revertsForInvalidHeadAfter() public {
        _init();
        uint256[3] memory bad = [uint256(0), R, type(uint256).max];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidHeadAfter.selector, bad[i]));
            vm.prank(prover);
            ledger.submitStep(modelId, HEAD0, bad[i], proof);
        }
    }

    /// @dev SGD that rounds to no update leaves the head unchanged: the seed cannot be re-drawn, so such a step
    ///      must land (else the lineage would freeze); the step count, and with it the next seed, still moves.
    function test_submitStep_unchangedHeadAdvancesTheStepAndSeed() public {
        _init();
        uint256 seed0 = ledger.seedOf(modelId);
        _step(prover, HEAD0);
        assertEq(ledger.headOf(modelId), HEAD0);
        assertEq(ledger.trainingOf(modelId).steps, 1);
        assertTrue(ledger.seedOf(modelId) != seed0, "the seed moves with the step count");
        // The same statement again (step 0) is refused: the step word is now 1.
        _expect(HEAD0, HEAD0, seed0, 0, prover);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidProof.selector, modelId, uint64(1)));
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, HEAD0, proof);
    }

    function test_submitStep_revertsForInvalidProof() public {
        _init();
        uint256 seed = _nextSeed();
        verifier.setResult(false);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidProof.selector, modelId, uint64(0)));
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);

        // A proof for other public inputs (another seed, step or payee) is refused too.
        verifier.setResult(true);
        uint256[3] memory wrong = [seed ^ 1, seed, seed];
        uint64[3] memory steps = [uint64(0), 1, 0];
        address[3] memory payees = [prover, prover, other];
        for (uint256 i; i < 3; ++i) {
            _expect(HEAD0, 0x11, wrong[i], steps[i], payees[i]);
            vm.expectRevert(
                abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidProof.selector, modelId, uint64(0))
            );
            vm.prank(prover);
            ledger.submitStep(modelId, HEAD0, 0x11, proof);
        }
        assertEq(ledger.headOf(modelId), HEAD0);
        assertEq(ledger.lineageLength(modelId), 0);
    }

    function test_submitStep_copiedProofFailsForOtherPayee() public {
        _init();
        // Every address sees the same seed: only the payee differs between `prover`'s statement and `other`'s.
        _expect(HEAD0, 0x11, _nextSeed(), 0, prover); // the proof is valid for `prover` only
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidProof.selector, modelId, uint64(0)));
        vm.prank(other);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    function test_submitStep_replayReverts() public {
        _init();
        _expect(HEAD0, 0x11, _nextSeed(), 0, prover);
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);

        // Same statement again: the head moved.
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotHead.selector, modelId, HEAD0, 0x11));
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    function test_submitStep_verifierRevertBubbles() public {
        // A verifier revert (e.g. a public input count mismatch) is not swallowed.
        _init();
        vm.mockCallRevert(address(verifier), bytes(""), abi.encodeWithSignature("Boom()"));
        vm.expectRevert(abi.encodeWithSignature("Boom()"));
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    // --- happy path -------------------------------------------------------------------------------------------

    function test_threeChainedSteps() public {
        _init();
        uint256[4] memory heads = [HEAD0, 0x1111, 0x2222, R - 1];
        address[3] memory provers = [prover, other, prover];
        for (uint64 s; s < 3; ++s) {
            address who = provers[s];
            uint256 seed = _seedFor(heads[s], s);
            assertEq(ledger.seedOf(modelId), seed);
            _expect(heads[s], heads[s + 1], seed, s, who);

            vm.expectEmit(address(ledger));
            emit ITrainingLedger.StepVerified(modelId, s, heads[s], heads[s + 1], who);
            vm.prank(who);
            ledger.submitStep(modelId, heads[s], heads[s + 1], proof);

            assertEq(ledger.headOf(modelId), heads[s + 1]);
            vm.roll(block.number + 7);
        }

        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertEq(t.head, R - 1);
        assertEq(t.steps, 3);
        assertEq(ledger.lineageLength(modelId), 3);
        uint256 verifiedAt = START_BLOCK;
        for (uint256 i; i < 3; ++i) {
            ITrainingLedger.Step memory st = ledger.lineageAt(modelId, i);
            assertEq(st.headBefore, heads[i]);
            assertEq(st.headAfter, heads[i + 1]);
            assertEq(st.prover, provers[i]);
            assertEq(st.step, i);
            assertEq(st.blockNumber, verifiedAt + 7 * i);
        }
        assertEq(ledger.workOf(prover), 2 * WORK_UNITS);
        assertEq(ledger.workOf(other), WORK_UNITS);

        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerLineageOutOfRange.selector, modelId, 3, 3));
        ledger.lineageAt(modelId, 3);
    }

    function test_submitStep_allowedAfterDeprecation() public {
        _init();
        vm.prank(owner);
        registry.deprecateModel(modelId);
        _expect(HEAD0, 0x11, _nextSeed(), 0, prover);
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
        assertEq(ledger.headOf(modelId), 0x11);
    }

    function test_lineageAt_revertsWhenEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerLineageOutOfRange.selector, modelId, 0, 0));
        ledger.lineageAt(modelId, 0);
    }

    function test_adminRoleIsTwoStep() public {
        address next = makeAddr("next");
        vm.prank(admin);
        ledger.beginDefaultAdminTransfer(next);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, prover, bytes32(0))
        );
        vm.prank(prover);
        ledger.beginDefaultAdminTransfer(prover);
    }

    // --- fuzz -------------------------------------------------------------------------------------------------

    /// @dev Any delay, payee and new head: the exact public inputs (with the lineage seed) verify and the step
    ///      lands.
    function testFuzz_submitStep(address who, uint256 headAfter, uint256 delay) public {
        vm.assume(who != address(0));
        headAfter = bound(headAfter, 1, R - 1);
        delay = bound(delay, 0, 100_000);
        _init();
        vm.roll(START_BLOCK + delay);
        _expect(HEAD0, headAfter, _seedFor(HEAD0, 0), 0, who);

        vm.prank(who);
        ledger.submitStep(modelId, HEAD0, headAfter, proof);
        assertEq(ledger.headOf(modelId), headAfter);
        assertEq(ledger.workOf(who), WORK_UNITS);
        ITrainingLedger.Step memory st = ledger.lineageAt(modelId, 0);
        assertEq(st.prover, who);
        assertEq(st.blockNumber, START_BLOCK + delay);
    }

    /// @dev A step from anything but the current head reverts with the exact NotHead error.
    function testFuzz_submitStep_notHead(uint256 headBefore) public {
        vm.assume(headBefore != HEAD0);
        _init();
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotHead.selector, modelId, headBefore, HEAD0)
        );
        vm.prank(prover);
        ledger.submitStep(modelId, headBefore, 0x11, proof);
    }

    // --- fund -------------------------------------------------------------------------------------------------

    function test_fund_pullsTokensAndEmits() public {
        _init();
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.TrainingFunded(modelId, funder, FUNDED, FUNDED);
        _fund(FUNDED);
        _fund(1);
        assertEq(ledger.sharesOf(modelId, funder), FUNDED + 1);
        assertEq(ledger.trainingOf(modelId).totalShares, FUNDED + 1);
        assertEq(ledger.trainingOf(modelId).budget, FUNDED + 1);
        assertEq(token.balanceOf(address(ledger)), FUNDED + 1);
        assertEq(token.balanceOf(funder), 1_000_000e18 - FUNDED - 1);
    }

    function test_RevertWhen_Fund_NotInitialized() public {
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInitialized.selector, modelId));
        _fund(FUNDED);
    }

    function test_RevertWhen_Fund_ZeroAmount() public {
        _init();
        vm.expectRevert(ITrainingLedger.TrainingLedgerZeroAmount.selector);
        _fund(0);
    }

    function test_RevertWhen_Fund_NotApproved() public {
        _init();
        token.mint(other, 10);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(ledger), 0, 10)
        );
        vm.prank(other);
        ledger.fund(modelId, 10, address(evalVerifier));
    }

    // --- step rewards -----------------------------------------------------------------------------------------

    function test_submitStep_creditsStepRewardAndEpochWork() public {
        _init();
        _fund(FUNDED);
        _expect(HEAD0, 0x11, _nextSeed(), 0, prover);
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.StepVerified(modelId, 0, HEAD0, 0x11, prover);
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.RewardCredited(prover, modelId, STEP_REWARD);
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);

        assertEq(ledger.creditsOf(prover), STEP_REWARD);
        assertEq(ledger.trainingOf(modelId).budget, FUNDED - STEP_REWARD);
        assertEq(ledger.epochWorkOf(modelId, 0, prover), WORK_UNITS);
        assertEq(ledger.epochOf(modelId, 0).work, WORK_UNITS);
        assertEq(ledger.epochOf(modelId, 0).reward, 0);
        assertEq(ledger.workOf(prover), WORK_UNITS);
        assertEq(token.balanceOf(address(ledger)), FUNDED, "no token moves in a step");
    }

    function test_submitStep_stepRewardCappedAtBudget() public {
        _init();
        _fund(STEP_REWARD + 2);
        _step(prover, 0x11);
        _expect(0x11, 0x22, _nextSeed(), 1, other);
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.RewardCredited(other, modelId, 2);
        vm.prank(other);
        ledger.submitStep(modelId, 0x11, 0x22, proof);
        assertEq(ledger.creditsOf(prover), STEP_REWARD);
        assertEq(ledger.creditsOf(other), 2);
        assertEq(ledger.trainingOf(modelId).budget, 0);
    }

    function test_submitStep_noRewardEventWithoutBudget() public {
        _init();
        vm.recordLogs();
        _step(prover, 0x11);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != ITrainingLedger.RewardCredited.selector, "RewardCredited without budget");
        }
        assertEq(ledger.creditsOf(prover), 0);
        // The work still counts, for the lifetime total and for the open epoch.
        assertEq(ledger.epochWorkOf(modelId, 0, prover), WORK_UNITS);
        assertEq(ledger.workOf(prover), WORK_UNITS);
    }

    // --- submitEval -------------------------------------------------------------------------------------------

    function test_submitEval_publicInputsExact() public {
        _init();
        uint32 correct = 301;
        uint64 lossSum = type(uint64).max;
        uint32 total = type(uint32).max;
        uint256[] memory inputs = _evalInputs(HEAD0, correct, total, lossSum, prover);
        assertEq(inputs[4], uint256(type(uint32).max) | (uint256(uint160(prover)) << 88));
        _expectEval(correct, total, lossSum, prover);
        proof[0] = 0xabc;
        vm.expectCall(address(evalVerifier), abi.encodeCall(IGroth16Verifier.verifyProof, (proof, inputs)));
        vm.prank(prover);
        ledger.submitEval(modelId, 0, correct, total, lossSum, proof);
        assertEq(ledger.scoreAt(modelId, 0).total, total);
    }

    function test_submitEval_payeeBound() public {
        _init();
        // Same score, another sender: different public inputs (only the last word differs).
        uint256[] memory mine = _evalInputs(HEAD0, 300, TOTAL, LOSS, prover);
        uint256[] memory theirs = _evalInputs(HEAD0, 300, TOTAL, LOSS, other);
        for (uint256 i; i < 4; ++i) {
            assertEq(mine[i], theirs[i]);
        }
        assertTrue(mine[4] != theirs[4]);

        // A proof valid for `prover` fails for `other` (copied from the mempool).
        _expectEval(300, TOTAL, LOSS, prover);
        vm.expectCall(address(evalVerifier), abi.encodeCall(IGroth16Verifier.verifyProof, (proof, theirs)));
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidEvalProof.selector, modelId, HEAD0));
        vm.prank(other);
        ledger.submitEval(modelId, 0, 300, TOTAL, LOSS, proof);
        vm.prank(prover);
        ledger.submitEval(modelId, 0, 300, TOTAL, LOSS, proof);
        assertEq(ledger.scoreAt(modelId, 0).evaluator, prover);
    }

    function test_RevertWhen_SubmitEval_InvalidProof() public {
        _init();
        evalVerifier.setResult(false);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidEvalProof.selector, modelId, HEAD0));
        vm.prank(prover);
        ledger.submitEval(modelId, 0, 300, TOTAL, LOSS, proof);

        // One mutation per public input: head, correct, lossSum, total (the eval root is the ledger's own).
        evalVerifier.setResult(true);
        _expectEval(300, TOTAL, LOSS, prover);
        uint32[3] memory corrects = [uint32(299), 300, 300];
        uint64[3] memory losses = [LOSS, LOSS + 1, LOSS];
        uint32[3] memory totals = [TOTAL, TOTAL, TOTAL - 1];
        for (uint256 i; i < 3; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidEvalProof.selector, modelId, HEAD0)
            );
            vm.prank(prover);
            ledger.submitEval(modelId, 0, corrects[i], totals[i], losses[i], proof);
        }
        evalVerifier.setExpectedInputsHash(keccak256(abi.encodePacked(_evalInputs(0x11, 300, TOTAL, LOSS, prover))));
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidEvalProof.selector, modelId, HEAD0));
        vm.prank(prover);
        ledger.submitEval(modelId, 0, 300, TOTAL, LOSS, proof);
        assertEq(ledger.scoreAt(modelId, 0).total, 0);
        assertFalse(ledger.trainingOf(modelId).hasBaseline);
    }

    function test_RevertWhen_SubmitEval_NotInitialized() public {
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInitialized.selector, modelId));
        vm.prank(prover);
        ledger.submitEval(modelId, 0, 1, 2, 3, proof);
    }

    function test_RevertWhen_SubmitEval_InvalidScore() public {
        _init();
        uint32[3] memory corrects = [uint32(0), 1, type(uint32).max];
        uint32[3] memory totals = [uint32(0), 0, type(uint32).max - 1];
        for (uint256 i; i < 3; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidScore.selector, corrects[i], totals[i])
            );
            vm.prank(prover);
            ledger.submitEval(modelId, 0, corrects[i], totals[i], LOSS, proof);
        }
        // correct == total is a valid score.
        _expectEval(TOTAL, TOTAL, LOSS, prover);
        vm.prank(prover);
        ledger.submitEval(modelId, 0, TOTAL, TOTAL, LOSS, proof);
    }

    function test_RevertWhen_SubmitEval_PositionAlreadyEvaluated() public {
        _init();
        _eval(prover, 100);
        // Same statement again, another score, another evaluator: the position is the key.
        _expectEval(100, TOTAL, LOSS, prover);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidEvalPosition.selector, modelId, 0, 1, 0)
        );
        vm.prank(prover);
        ledger.submitEval(modelId, 0, 100, TOTAL, LOSS, proof);
        evalVerifier.setExpectedInputsHash(bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidEvalPosition.selector, modelId, 0, 1, 0)
        );
        vm.prank(other);
        ledger.submitEval(modelId, 0, 200, TOTAL, LOSS, proof);
        // Past the tip.
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidEvalPosition.selector, modelId, 1, 1, 0)
        );
        vm.prank(other);
        ledger.submitEval(modelId, 1, 200, TOTAL, LOSS, proof);

        // A new head can be evaluated.
        _step(prover, 0x11);
        _eval(other, 90);
        assertEq(ledger.scoreAt(modelId, 1).correct, 90);
        assertEq(ledger.scoreAt(modelId, 1).head, 0x11);
    }

    function test_submitEval_baselineClosesEpochWithoutReward() public {
        _init();
        _fund(FUNDED);
        _step(prover, 0x11); // work before the baseline
        uint256 budget = ledger.trainingOf(modelId).budget;

        _expectEval(200, TOTAL, LOSS, other);
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.EvaluationVerified(modelId, 1, 0x11, 200, TOTAL, LOSS, 0, 0, other);
        vm.prank(other);
        ledger.submitEval(modelId, 1, 200, TOTAL, LOSS, proof);

        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertTrue(t.hasBaseline);
        assertEq(t.bestCorrect, 200);
        assertEq(t.epoch, 1);
        assertEq(t.budget, budget, "the baseline pays nothing");
        ITrainingLedger.Score memory sc = ledger.scoreAt(modelId, 1);
        assertEq(sc.correct, 200);
        assertEq(sc.total, TOTAL);
        assertEq(sc.lossSum, LOSS);
        assertEq(sc.epoch, 0);
        assertEq(sc.blockNumber, block.number);
        assertEq(sc.evaluator, other);
        assertEq(ledger.epochOf(modelId, 0).reward, 0);
        assertEq(ledger.scoreAt(modelId, 0).total, 0);

        // The work before the baseline can be claimed, for nothing.
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.ImprovementClaimed(modelId, 0, prover, 0);
        vm.prank(prover);
        ledger.claimImprovement(modelId, 0);
        assertEq(ledger.creditsOf(prover), STEP_REWARD);
        assertEq(ledger.epochWorkOf(modelId, 0, prover), 0);
    }

    function test_submitEval_baselineMayBeZero() public {
        _init();
        _eval(prover, 0);
        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertTrue(t.hasBaseline);
        assertEq(t.bestCorrect, 0);
        assertEq(t.epoch, 1);
    }

    function test_submitEval_improvementClosesEpochWithReward() public {
        _initWith(0, POINT_REWARD);
        _fund(FUNDED);
        _eval(other, 100); // baseline on the initial head
        _step(prover, 0x11);

        uint256 reward = 30 * POINT_REWARD;
        _expectEval(130, TOTAL, LOSS, other);
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.EvaluationVerified(modelId, 1, 0x11, 130, TOTAL, LOSS, 1, reward, other);
        vm.prank(other);
        ledger.submitEval(modelId, 1, 130, TOTAL, LOSS, proof);

        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertEq(t.bestCorrect, 130);
        assertEq(t.epoch, 2);
        assertEq(t.budget, FUNDED - reward);
        assertEq(ledger.epochOf(modelId, 1).reward, reward);
        assertEq(ledger.epochOf(modelId, 1).work, WORK_UNITS);
        assertEq(ledger.scoreAt(modelId, 1).epoch, 1);

        vm.expectEmit(address(ledger));
        emit ITrainingLedger.ImprovementClaimed(modelId, 1, prover, reward);
        vm.prank(prover);
        ledger.claimImprovement(modelId, 1);
        assertEq(ledger.creditsOf(prover), reward);
        assertEq(ledger.creditsOf(other), 0, "the evaluator is not paid");
    }

    function test_submitEval_noImprovementKeepsEpochOpen() public {
        _initWith(0, POINT_REWARD);
        _fund(FUNDED);
        _eval(other, 100);
        _step(prover, 0x11);

        _expectEval(100, TOTAL, LOSS, other); // equal is not better
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.EvaluationVerified(modelId, 1, 0x11, 100, TOTAL, LOSS, 1, 0, other);
        vm.prank(other);
        ledger.submitEval(modelId, 1, 100, TOTAL, LOSS, proof);
        _step(other, 0x22);
        _eval(other, 50); // worse
        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertEq(t.bestCorrect, 100);
        assertEq(t.epoch, 1);
        assertEq(t.budget, FUNDED);
        assertEq(ledger.scoreAt(modelId, 2).correct, 50);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerEpochOpen.selector, modelId, uint64(1)));
        vm.prank(prover);
        ledger.claimImprovement(modelId, 1);

        // The steps of the open epoch still wait for an improvement, measured from the best (100), not the last.
        _step(prover, 0x33);
        _eval(other, 104);
        assertEq(ledger.epochOf(modelId, 1).reward, 4 * POINT_REWARD);
        assertEq(ledger.epochOf(modelId, 1).work, 3 * WORK_UNITS);
        assertEq(ledger.trainingOf(modelId).epoch, 2);
        vm.prank(prover);
        ledger.claimImprovement(modelId, 1);
        vm.prank(other);
        ledger.claimImprovement(modelId, 1);
        assertEq(ledger.creditsOf(prover), (4 * POINT_REWARD * 2) / 3);
        assertEq(ledger.creditsOf(other), (4 * POINT_REWARD) / 3);
    }

    /// @dev An improvement is paid in full or not at all: gain 10 at 1 token a point needs 10 tokens; with 5 and a
    ///      bit in the budget the evaluation reverts and consumes nothing, and succeeds once funded.
    function test_RevertWhen_SubmitEval_BudgetShortForImprovement() public {
        _initWith(0, POINT_REWARD);
        _fund(5 * POINT_REWARD + 1);
        _eval(other, 10);
        _step(prover, 0x11);
        _expectEval(20, TOTAL, LOSS, other);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingLedger.TrainingLedgerBudgetShort.selector, modelId, 10 * POINT_REWARD, 5 * POINT_REWARD + 1
            )
        );
        vm.prank(other);
        ledger.submitEval(modelId, 1, 20, TOTAL, LOSS, proof);
        assertEq(ledger.trainingOf(modelId).bestCorrect, 10);
        assertEq(ledger.trainingOf(modelId).nextEval, 1);

        _fund(5 * POINT_REWARD);
        _eval(other, 20);
        assertEq(ledger.epochOf(modelId, 1).reward, 10 * POINT_REWARD);
        assertEq(ledger.trainingOf(modelId).budget, 1);
    }

    function test_RevertWhen_SubmitEval_HugePointRewardIsShortNotOverflow() public {
        _initWith(0, type(uint256).max);
        _fund(FUNDED);
        _eval(other, 10);
        _step(prover, 0x11);
        _expectEval(TOTAL, TOTAL, LOSS, other);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingLedger.TrainingLedgerBudgetShort.selector, modelId, type(uint256).max, FUNDED
            )
        );
        vm.prank(other);
        ledger.submitEval(modelId, 1, TOTAL, TOTAL, LOSS, proof);
        // A gain of 1 at the largest rate is exactly representable (and still short).
        _expectEval(11, TOTAL, LOSS, other);
        vm.expectRevert(
            abi.encodeWithSelector(
                ITrainingLedger.TrainingLedgerBudgetShort.selector, modelId, type(uint256).max, FUNDED
            )
        );
        vm.prank(other);
        ledger.submitEval(modelId, 1, 11, TOTAL, LOSS, proof);
    }

    function test_submitEval_allowedAfterDeprecation() public {
        _init();
        vm.prank(owner);
        registry.deprecateModel(modelId);
        _eval(prover, 10);
        assertTrue(ledger.trainingOf(modelId).hasBaseline);
    }

    // --- claimImprovement -------------------------------------------------------------------------------------

    /// @dev Two provers split an improvement 2:1 by work; floor rounding leaves dust in the contract.
    function test_claimImprovement_twoProversProRata() public {
        _initWith(0, 1);
        _fund(FUNDED);
        _eval(owner, 100);
        _step(prover, 0x11);
        _step(other, 0x22);
        _step(prover, 0x33);
        _eval(owner, 101); // reward 1 token unit for 3 steps: shares 0 and 0, dust 1
        _step(prover, 0x44);
        _step(prover, 0x55);
        _step(other, 0x66);
        _eval(owner, 201); // reward 100 for 3 steps: 66 and 33, dust 1

        assertEq(ledger.epochOf(modelId, 1).reward, 1);
        assertEq(ledger.epochOf(modelId, 2).reward, 100);
        assertEq(ledger.epochWorkOf(modelId, 2, prover), 2 * WORK_UNITS);
        assertEq(ledger.epochWorkOf(modelId, 2, other), WORK_UNITS);

        vm.startPrank(prover);
        ledger.claimImprovement(modelId, 1);
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.ImprovementClaimed(modelId, 2, prover, 66);
        ledger.claimImprovement(modelId, 2);
        vm.stopPrank();
        vm.startPrank(other);
        ledger.claimImprovement(modelId, 1);
        ledger.claimImprovement(modelId, 2);
        vm.stopPrank();
        assertEq(ledger.creditsOf(prover), 66);
        assertEq(ledger.creditsOf(other), 33);
        assertEq(ledger.epochWorkOf(modelId, 2, prover), 0);
        assertEq(ledger.epochOf(modelId, 2).work, 3 * WORK_UNITS, "epoch totals are kept for later shares");
        // budget + credits + dust (1 + 1) is what the ledger holds.
        assertEq(token.balanceOf(address(ledger)), ledger.trainingOf(modelId).budget + 66 + 33 + 2);
    }

    function test_RevertWhen_ClaimImprovement_EpochOpen() public {
        _init();
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerEpochOpen.selector, modelId, uint64(0)));
        vm.prank(prover);
        ledger.claimImprovement(modelId, 0);
        _step(prover, 0x11);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerEpochOpen.selector, modelId, uint64(0)));
        vm.prank(prover);
        ledger.claimImprovement(modelId, 0);
        _eval(other, 1);
        // Epoch 1 is now the open one; later epochs do not exist yet.
        uint64[2] memory open = [uint64(1), type(uint64).max];
        for (uint256 i; i < 2; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerEpochOpen.selector, modelId, open[i]));
            vm.prank(prover);
            ledger.claimImprovement(modelId, open[i]);
        }
    }

    function test_RevertWhen_ClaimImprovement_Twice() public {
        _initWith(0, POINT_REWARD);
        _fund(FUNDED);
        _eval(other, 1);
        _step(prover, 0x11);
        _eval(other, 2);
        vm.prank(prover);
        ledger.claimImprovement(modelId, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToClaim.selector, modelId, uint64(1), prover)
        );
        vm.prank(prover);
        ledger.claimImprovement(modelId, 1);
        assertEq(ledger.creditsOf(prover), POINT_REWARD);
    }

    function test_RevertWhen_ClaimImprovement_NoWork() public {
        _init();
        _eval(other, 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToClaim.selector, modelId, uint64(0), other)
        );
        vm.prank(other);
        ledger.claimImprovement(modelId, 0);
    }

    // --- withdraw ---------------------------------------------------------------------------------------------

    function test_withdraw_paysCreditsAndEmits() public {
        _initWith(STEP_REWARD, POINT_REWARD);
        _fund(FUNDED);
        _eval(other, 10);
        _step(prover, 0x11);
        _eval(other, 12);
        vm.prank(prover);
        ledger.claimImprovement(modelId, 1);
        uint256 amount = STEP_REWARD + 2 * POINT_REWARD;
        assertEq(ledger.creditsOf(prover), amount);

        vm.expectEmit(address(ledger));
        emit ITrainingLedger.RewardsWithdrawn(prover, amount);
        vm.prank(prover);
        ledger.withdraw();
        assertEq(token.balanceOf(prover), amount);
        assertEq(ledger.creditsOf(prover), 0);
        assertEq(token.balanceOf(address(ledger)), FUNDED - amount);
        assertEq(ledger.trainingOf(modelId).budget, FUNDED - amount);

        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToWithdraw.selector, prover));
        vm.prank(prover);
        ledger.withdraw();
    }

    function test_RevertWhen_Withdraw_Zero() public {
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNothingToWithdraw.selector, prover));
        vm.prank(prover);
        ledger.withdraw();
    }

    function _evilLedger() private returns (ReentrantToken evil) {
        evil = new ReentrantToken();
        ledger = new TrainingLedger(registry, IERC20(address(evil)), admin, ADMIN_DELAY);
        _init();
        evil.mint(funder, FUNDED);
        vm.prank(funder);
        evil.approve(address(ledger), FUNDED);
    }

    function test_RevertWhen_Fund_Reentered() public {
        ReentrantToken evil = _evilLedger();
        evil.arm(address(ledger), abi.encodeCall(ITrainingLedger.fund, (modelId, 1, address(evalVerifier))));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        _fund(FUNDED);
        assertEq(ledger.trainingOf(modelId).budget, 0);
    }

    function test_RevertWhen_Withdraw_Reentered() public {
        ReentrantToken evil = _evilLedger();
        _fund(FUNDED);
        _step(prover, 0x11);
        evil.arm(address(ledger), abi.encodeCall(ITrainingLedger.withdraw, ()));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(prover);
        ledger.withdraw();
        assertEq(ledger.creditsOf(prover), STEP_REWARD);
        assertEq(evil.balanceOf(prover), 0);
    }

    // --- fuzz: rewards ----------------------------------------------------------------------------------------

    /// @dev Three provers with any step counts, any covered point rate, gain and budget: each share is the floored pro rata
    ///      share, the shares never exceed the epoch's reward, and the dust is below the number of provers.
    function testFuzz_claimImprovement_sharesNeverExceedReward(
        uint8 stepsA,
        uint8 stepsB,
        uint8 stepsC,
        uint256 pointReward,
        uint256 funded,
        uint32 gain
    ) public {
        uint256[3] memory steps = [uint256(bound(stepsA, 1, 4)), bound(stepsB, 0, 4), bound(stepsC, 0, 4)];
        funded = bound(funded, 1, type(uint128).max);
        gain = uint32(bound(gain, 1, TOTAL));
        // Any rate the budget covers (a larger one reverts, see the BudgetShort tests).
        pointReward = bound(pointReward, 0, funded / gain);
        address[3] memory provers = [prover, other, owner];

        _initWith(0, pointReward);
        token.mint(funder, funded);
        _fund(funded);
        _eval(funder, 0);
        uint256 head = 0x100;
        for (uint256 i; i < 3; ++i) {
            for (uint256 k; k < steps[i]; ++k) {
                _step(provers[i], ++head);
            }
        }
        _eval(funder, gain);

        ITrainingLedger.EpochTotals memory e = ledger.epochOf(modelId, 1);
        uint256 totalWork = (steps[0] + steps[1] + steps[2]) * WORK_UNITS;
        assertEq(e.work, totalWork);
        uint256 expected = uint256(gain) * pointReward;
        assertEq(e.reward, expected);
        uint256 sum;
        for (uint256 i; i < 3; ++i) {
            if (steps[i] == 0) continue;
            vm.prank(provers[i]);
            ledger.claimImprovement(modelId, 1);
            uint256 share = ledger.creditsOf(provers[i]);
            assertEq(share, e.reward * (steps[i] * WORK_UNITS) / totalWork);
            sum += share;
        }
        assertLe(sum, e.reward, "shares exceed the epoch reward");
        assertLt(e.reward - sum, 3, "dust above the number of provers");
        assertEq(token.balanceOf(address(ledger)), ledger.trainingOf(modelId).budget + sum + (e.reward - sum));
    }
}
