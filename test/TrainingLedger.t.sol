// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ModelRegistry} from "../contracts/ModelRegistry.sol";
import {TrainingLedger} from "../contracts/TrainingLedger.sol";
import {IModelRegistry} from "../contracts/interfaces/IModelRegistry.sol";
import {ITrainingLedger} from "../contracts/interfaces/ITrainingLedger.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";

/// @notice Unit and fuzz tests of TrainingLedger against the real ModelRegistry and a mock verifier that checks
///         the exact public inputs `[headBefore, headAfter, datasetRoot, seed, step + prover·2^88]`.
contract TrainingLedgerTest is Test {
    /// @dev BN254 scalar field modulus r.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint48 internal constant ADMIN_DELAY = 2 days;
    uint64 internal constant WORK_UNITS = 7;
    uint256 internal constant START_BLOCK = 1_000;

    bytes32 internal constant DATASET_ROOT = bytes32(uint256(0xda7a));
    uint256 internal constant EVAL_ROOT = 0xe7a1;
    uint256 internal constant HEAD0 = 0x4ead0;

    ModelRegistry internal registry;
    TrainingLedger internal ledger;
    MockGroth16Verifier internal verifier;
    uint256 internal modelId;

    address internal admin = makeAddr("admin");
    address internal owner = makeAddr("owner");
    address internal prover = makeAddr("prover");
    address internal other = makeAddr("other");

    uint256[8] internal proof;

    function setUp() public {
        vm.roll(START_BLOCK);
        registry = new ModelRegistry(admin, ADMIN_DELAY);
        ledger = new TrainingLedger(registry, admin, ADMIN_DELAY);
        verifier = new MockGroth16Verifier(5);
        modelId = _registerTraining(address(verifier), 4, 1, IModelRegistry.Kind.Training);
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

    function _init() internal {
        vm.prank(owner);
        ledger.initTraining(modelId, DATASET_ROOT, EVAL_ROOT, HEAD0);
    }

    /// @dev Claims for `who` in the current block, sets the seed block's hash and rolls to the first block at
    ///      which the seed is readable. Returns the seed.
    function _claimAndSeed(address who, bytes32 hash) internal returns (uint256 seed) {
        uint256 claimBlock = block.number;
        vm.prank(who);
        ledger.claimStep(modelId);
        vm.roll(claimBlock + 2);
        vm.setBlockhash(claimBlock + 1, hash);
        seed = uint256(hash) % R;
    }

    function _inputs(uint256 headBefore, uint256 headAfter, uint256 seed, uint64 step, address who)
        internal
        pure
        returns (uint256[] memory inputs)
    {
        inputs = new uint256[](5);
        inputs[0] = headBefore;
        inputs[1] = headAfter;
        inputs[2] = uint256(DATASET_ROOT);
        inputs[3] = seed;
        inputs[4] = uint256(step) + (uint256(uint160(who)) << 88);
    }

    function _expect(uint256 headBefore, uint256 headAfter, uint256 seed, uint64 step, address who) internal {
        verifier.setExpectedInputsHash(keccak256(abi.encodePacked(_inputs(headBefore, headAfter, seed, step, who))));
    }

    // --- constructor and constants ---------------------------------------------------------------------------

    function test_constructor() public view {
        assertEq(ledger.registry(), address(registry));
        assertEq(ledger.defaultAdmin(), admin);
        assertEq(ledger.defaultAdminDelay(), ADMIN_DELAY);
        assertEq(ledger.CLAIM_WINDOW(), 256);
        assertTrue(ledger.hasRole(ledger.DEFAULT_ADMIN_ROLE(), admin));
    }

    // --- initTraining -----------------------------------------------------------------------------------------

    function test_initTraining_setsStateAndEmits() public {
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.TrainingInitialized(modelId, DATASET_ROOT, EVAL_ROOT, HEAD0, address(verifier));
        _init();

        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertEq(t.datasetRoot, DATASET_ROOT);
        assertEq(t.evalRoot, EVAL_ROOT);
        assertEq(t.head, HEAD0);
        assertEq(t.verifier, address(verifier));
        assertEq(t.steps, 0);
        assertEq(t.workUnits, WORK_UNITS);
        assertEq(ledger.headOf(modelId), HEAD0);
        assertEq(ledger.lineageLength(modelId), 0);
    }

    function test_initTraining_acceptsLargestFieldElements() public {
        vm.prank(owner);
        ledger.initTraining(modelId, bytes32(R - 1), R - 1, R - 1);
        assertEq(ledger.headOf(modelId), R - 1);
    }

    function test_initTraining_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotModelOwner.selector, modelId, admin));
        vm.prank(admin); // even a registrar/admin is not the model owner
        ledger.initTraining(modelId, DATASET_ROOT, EVAL_ROOT, HEAD0);
    }

    function test_initTraining_revertsForInferenceModel() public {
        uint256 inference = _registerTraining(address(verifier), 4, 1, IModelRegistry.Kind.Inference);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotTrainingModel.selector, inference));
        vm.prank(owner);
        ledger.initTraining(inference, DATASET_ROOT, EVAL_ROOT, HEAD0);
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
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidLayout.selector, bad, uint32(3), uint32(2), false)
        );
        vm.prank(owner);
        ledger.initTraining(bad, DATASET_ROOT, EVAL_ROOT, HEAD0);
    }

    function test_initTraining_revertsForUnknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ModelRegistryUnknownModel.selector, 99));
        vm.prank(owner);
        ledger.initTraining(99, DATASET_ROOT, EVAL_ROOT, HEAD0);
    }

    function test_initTraining_revertsWhenAlreadyInitialized() public {
        _init();
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerAlreadyInitialized.selector, modelId));
        vm.prank(owner);
        ledger.initTraining(modelId, bytes32(uint256(1)), 2, 3);
    }

    function test_initTraining_revertsForOutOfFieldValues() public {
        uint256[2] memory bad = [uint256(0), R];
        for (uint256 i; i < bad.length; ++i) {
            vm.startPrank(owner);
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInField.selector, bad[i]));
            ledger.initTraining(modelId, bytes32(bad[i]), EVAL_ROOT, HEAD0);
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInField.selector, bad[i]));
            ledger.initTraining(modelId, DATASET_ROOT, bad[i], HEAD0);
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInField.selector, bad[i]));
            ledger.initTraining(modelId, DATASET_ROOT, EVAL_ROOT, bad[i]);
            vm.stopPrank();
        }
        uint256 max = type(uint256).max;
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInField.selector, max));
        vm.prank(owner);
        ledger.initTraining(modelId, DATASET_ROOT, EVAL_ROOT, max);
    }

    // --- claimStep --------------------------------------------------------------------------------------------

    function test_claimStep_recordsClaimAndEmits() public {
        _init();
        vm.expectEmit(address(ledger));
        emit ITrainingLedger.StepClaimed(modelId, prover, 0, uint64(START_BLOCK));
        vm.prank(prover);
        uint64 step = ledger.claimStep(modelId);
        assertEq(step, 0);
        ITrainingLedger.Claim memory c = ledger.claimOf(modelId, prover);
        assertEq(c.step, 0);
        assertEq(c.blockNumber, START_BLOCK);
        assertEq(ledger.claimOf(modelId, other).blockNumber, 0);
    }

    function test_claimStep_revertsWhenNotInitialized() public {
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInitialized.selector, modelId));
        vm.prank(prover);
        ledger.claimStep(modelId);
    }

    function test_claimStep_revertsForDeprecatedModel() public {
        _init();
        vm.prank(owner);
        registry.deprecateModel(modelId);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotTrainingModel.selector, modelId));
        vm.prank(prover);
        ledger.claimStep(modelId);
    }

    function test_claimStep_revertsWhileClaimOpen() public {
        _init();
        vm.prank(prover);
        ledger.claimStep(modelId);
        // Same block, then the last block at which the seed is still readable.
        uint256[2] memory at = [START_BLOCK, START_BLOCK + 1 + 256];
        for (uint256 i; i < at.length; ++i) {
            vm.roll(at[i]);
            vm.expectRevert(
                abi.encodeWithSelector(
                    ITrainingLedger.TrainingLedgerClaimOpen.selector, modelId, prover, uint64(START_BLOCK)
                )
            );
            vm.prank(prover);
            ledger.claimStep(modelId);
        }
        // Other provers claim independently.
        vm.prank(other);
        ledger.claimStep(modelId);
    }

    function test_claimStep_reclaimsAfterExpiry() public {
        _init();
        vm.prank(prover);
        ledger.claimStep(modelId);
        vm.roll(START_BLOCK + 1 + 257);
        vm.prank(prover);
        assertEq(ledger.claimStep(modelId), 0);
        assertEq(ledger.claimOf(modelId, prover).blockNumber, START_BLOCK + 258);
    }

    function test_claimStep_reclaimsStaleClaim() public {
        _init();
        vm.prank(other);
        ledger.claimStep(modelId);
        uint256 seed = _claimAndSeed(prover, keccak256("h"));
        _expect(HEAD0, 0x11, seed, 0, prover);
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);

        // `other`'s claim on step 0 is stale: it may claim step 1 at once.
        vm.prank(other);
        assertEq(ledger.claimStep(modelId), 1);
        ITrainingLedger.Claim memory c = ledger.claimOf(modelId, other);
        assertEq(c.step, 1);
        assertEq(c.blockNumber, block.number);
    }

    // --- seedOf -----------------------------------------------------------------------------------------------

    function test_seedOf_window() public {
        _init();
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNoClaim.selector, modelId, prover));
        ledger.seedOf(modelId, prover);

        vm.prank(prover);
        ledger.claimStep(modelId);
        bytes32 hash = bytes32(type(uint256).max); // reduced mod r

        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerSeedUnavailable.selector, modelId, START_BLOCK + 1)
        );
        ledger.seedOf(modelId, prover); // same block
        vm.roll(START_BLOCK + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerSeedUnavailable.selector, modelId, START_BLOCK + 1)
        );
        ledger.seedOf(modelId, prover); // the seed block itself

        vm.roll(START_BLOCK + 2);
        vm.setBlockhash(START_BLOCK + 1, hash);
        assertEq(ledger.seedOf(modelId, prover), type(uint256).max % R);
        vm.roll(START_BLOCK + 1 + 256);
        vm.setBlockhash(START_BLOCK + 1, hash);
        assertEq(ledger.seedOf(modelId, prover), type(uint256).max % R);

        vm.roll(START_BLOCK + 1 + 257);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerClaimExpired.selector, modelId, START_BLOCK + 1)
        );
        ledger.seedOf(modelId, prover);
    }

    function test_seedOf_refusesZeroHash() public {
        _init();
        _claimAndSeed(prover, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerSeedUnavailable.selector, modelId, START_BLOCK + 1)
        );
        ledger.seedOf(modelId, prover);
    }

    // --- submitStep: reverts ----------------------------------------------------------------------------------

    function test_submitStep_revertsWhenNotInitialized() public {
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotInitialized.selector, modelId));
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    function test_submitStep_revertsForNotHead() public {
        _init();
        _claimAndSeed(prover, keccak256("h"));
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotHead.selector, modelId, HEAD0 + 1, HEAD0)
        );
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0 + 1, 0x11, proof);
    }

    function test_submitStep_revertsForInvalidHeadAfter() public {
        _init();
        _claimAndSeed(prover, keccak256("h"));
        uint256[4] memory bad = [uint256(0), R, type(uint256).max, HEAD0];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidHeadAfter.selector, bad[i]));
            vm.prank(prover);
            ledger.submitStep(modelId, HEAD0, bad[i], proof);
        }
    }

    function test_submitStep_revertsWithoutClaim() public {
        _init();
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNoClaim.selector, modelId, prover));
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    function test_submitStep_revertsInClaimBlock() public {
        _init();
        vm.startPrank(prover);
        ledger.claimStep(modelId);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerSeedUnavailable.selector, modelId, START_BLOCK + 1)
        );
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
        vm.stopPrank();
    }

    function test_submitStep_revertsWhenClaimExpired() public {
        _init();
        vm.prank(prover);
        ledger.claimStep(modelId);
        vm.roll(START_BLOCK + 1 + 257);
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerClaimExpired.selector, modelId, START_BLOCK + 1)
        );
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    function test_submitStep_revertsForStaleClaim() public {
        _init();
        vm.prank(other);
        ledger.claimStep(modelId);
        uint256 seed = _claimAndSeed(prover, keccak256("h"));
        _expect(HEAD0, 0x11, seed, 0, prover);
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);

        // `other` extends the new head with its claim on step 0: refused.
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerStaleClaim.selector, modelId, uint64(0), uint64(1))
        );
        vm.prank(other);
        ledger.submitStep(modelId, 0x11, 0x22, proof);
    }

    function test_submitStep_revertsForInvalidProof() public {
        _init();
        uint256 seed = _claimAndSeed(prover, keccak256("h"));
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
        assertEq(ledger.claimOf(modelId, prover).blockNumber, START_BLOCK);
    }

    function test_submitStep_copiedProofFailsForOtherPayee() public {
        _init();
        uint256 seed = _claimAndSeed(prover, keccak256("h"));
        _expect(HEAD0, 0x11, seed, 0, prover); // the proof is valid for `prover` only
        // `other` claims the same step and (for the test) gets the same seed: only the payee differs.
        vm.prank(other);
        ledger.claimStep(modelId);
        vm.roll(block.number + 2);
        vm.setBlockhash(block.number - 1, keccak256("h"));
        assertEq(ledger.seedOf(modelId, other), seed);
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerInvalidProof.selector, modelId, uint64(0)));
        vm.prank(other);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    function test_submitStep_replayReverts() public {
        _init();
        uint256 seed = _claimAndSeed(prover, keccak256("h"));
        _expect(HEAD0, 0x11, seed, 0, prover);
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);

        // Same statement again, with a fresh claim: the head moved.
        _claimAndSeed(prover, keccak256("h"));
        vm.expectRevert(abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotHead.selector, modelId, HEAD0, 0x11));
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    function test_submitStep_verifierRevertBubbles() public {
        // A verifier revert (e.g. a public input count mismatch) is not swallowed.
        _init();
        _claimAndSeed(prover, keccak256("h"));
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
            uint256 claimBlock = block.number;
            bytes32 hash = keccak256(abi.encode("seed", s));
            uint256 seed = _claimAndSeed(who, hash);
            assertEq(ledger.seedOf(modelId, who), seed);
            _expect(heads[s], heads[s + 1], seed, s, who);

            vm.expectEmit(address(ledger));
            emit ITrainingLedger.StepVerified(modelId, s, heads[s], heads[s + 1], who);
            vm.prank(who);
            ledger.submitStep(modelId, heads[s], heads[s + 1], proof);

            assertEq(ledger.headOf(modelId), heads[s + 1]);
            assertEq(ledger.claimOf(modelId, who).blockNumber, 0);
            assertEq(claimBlock + 2, block.number);
            vm.roll(block.number + 5);
        }

        ITrainingLedger.Training memory t = ledger.trainingOf(modelId);
        assertEq(t.head, R - 1);
        assertEq(t.steps, 3);
        assertEq(ledger.lineageLength(modelId), 3);
        uint256 verifiedAt = START_BLOCK + 2;
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

        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerLineageOutOfRange.selector, modelId, 3, 3)
        );
        ledger.lineageAt(modelId, 3);
    }

    function test_submitStep_allowedAfterDeprecation() public {
        _init();
        uint256 seed = _claimAndSeed(prover, keccak256("h"));
        vm.prank(owner);
        registry.deprecateModel(modelId);
        _expect(HEAD0, 0x11, seed, 0, prover);
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
        assertEq(ledger.headOf(modelId), 0x11);
    }

    function test_lineageAt_revertsWhenEmpty() public {
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerLineageOutOfRange.selector, modelId, 0, 0)
        );
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

    /// @dev Any in-window delay, seed hash, payee and new head: the exact public inputs verify and the step lands.
    function testFuzz_submitStep(address who, bytes32 hash, uint256 headAfter, uint256 delay) public {
        vm.assume(who != address(0) && hash != bytes32(0));
        headAfter = bound(headAfter, 1, R - 1);
        vm.assume(headAfter != HEAD0);
        delay = bound(delay, 2, 257);
        _init();
        vm.prank(who);
        ledger.claimStep(modelId);
        vm.roll(START_BLOCK + delay);
        vm.setBlockhash(START_BLOCK + 1, hash);
        uint256 seed = uint256(hash) % R;
        _expect(HEAD0, headAfter, seed, 0, who);

        vm.prank(who);
        ledger.submitStep(modelId, HEAD0, headAfter, proof);
        assertEq(ledger.headOf(modelId), headAfter);
        assertEq(ledger.workOf(who), WORK_UNITS);
        ITrainingLedger.Step memory st = ledger.lineageAt(modelId, 0);
        assertEq(st.prover, who);
        assertEq(st.blockNumber, START_BLOCK + delay);
    }

    /// @dev Outside the window (same block, seed block, or past 256 blocks) nothing verifies.
    function testFuzz_submitStep_outsideWindowReverts(uint256 delay) public {
        delay = bound(delay, 0, 10_000);
        vm.assume(delay < 2 || delay > 257);
        _init();
        vm.prank(prover);
        ledger.claimStep(modelId);
        vm.roll(START_BLOCK + delay);
        bytes memory err = delay < 2
            ? abi.encodeWithSelector(ITrainingLedger.TrainingLedgerSeedUnavailable.selector, modelId, START_BLOCK + 1)
            : abi.encodeWithSelector(ITrainingLedger.TrainingLedgerClaimExpired.selector, modelId, START_BLOCK + 1);
        vm.expectRevert(err);
        vm.prank(prover);
        ledger.submitStep(modelId, HEAD0, 0x11, proof);
    }

    /// @dev A step from anything but the current head reverts with the exact NotHead error.
    function testFuzz_submitStep_notHead(uint256 headBefore) public {
        vm.assume(headBefore != HEAD0);
        _init();
        _claimAndSeed(prover, keccak256("h"));
        vm.expectRevert(
            abi.encodeWithSelector(ITrainingLedger.TrainingLedgerNotHead.selector, modelId, headBefore, HEAD0)
        );
        vm.prank(prover);
        ledger.submitStep(modelId, headBefore, 0x11, proof);
    }
}
