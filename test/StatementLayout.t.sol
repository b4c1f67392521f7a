// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {Statement} from "../contracts/libraries/Statement.sol";

/// @notice TEST ONLY. A verifier that reverts with the public inputs it was given, so that a test can read back
///         exactly what `Statement.verifyInference` assembled in place (reverts are bubbled up unchanged).
contract EchoVerifier {
    /// @notice The public inputs of a `verifyProof` call.
    error EchoVerifierSeen(uint256[] publicInputs);

    function verifyProof(uint256[8] calldata, uint256[] calldata publicInputs) external pure returns (bool) {
        revert EchoVerifierSeen(publicInputs);
    }
}

/// @notice TEST ONLY. Exposes `Statement.verifyInference`, which reads calldata arrays, to the tests.
contract StatementHarness {
    function verifyInference(
        address verifier,
        uint256[8] calldata proof,
        uint256[] calldata input,
        uint256[] calldata output,
        bool privateWeights,
        uint256 weightsCommitment,
        address payee
    ) external view returns (bool) {
        return Statement.verifyInference(verifier, proof, input, output, privateWeights, weightsCommitment, payee);
    }
}

/// @notice Layout agreement with the Rust side: every public-input vector of `test/fixtures/statement_layout.json`
///         (written by the Rust test of `circuits/src/statement/`) is rebuilt from its other fields with the
///         `Statement` library, element by element, through both inference builders (the memory reference and the
///         market's in-place assembly path); plus the constants, field membership, payee decoding, and
///         mutations that must change the vector.
/// @dev Fixture format: every number a `0x` + 64 hex digits string, addresses `0x` + 40 hex digits. The cheatcodes
///      `parseJsonUint`/`parseJsonUintArray` read such strings as uint256 and `parseJsonAddress` reads an address
///      whatever its letter case (forge 1.7).
contract StatementLayoutTest is Test {
    string internal constant FIXTURE = "test/fixtures/statement_layout.json";

    struct Inference {
        uint256[] input;
        uint256[] output;
        uint256 weightsCommitment;
        address prover;
        uint256[] publicInputs;
    }

    struct TrainStep {
        uint256 headBefore;
        uint256 headAfter;
        uint256 datasetRoot;
        uint256 seed;
        uint64 step;
        address prover;
        uint256[] publicInputs;
    }

    struct Eval {
        uint256 head;
        uint256 evalRoot;
        uint32 correct;
        uint64 lossSum;
        uint32 total;
        address evaluator;
        uint256[] publicInputs;
    }

    string internal json;
    StatementHarness internal harness;
    EchoVerifier internal echo;
    address internal other = makeAddr("other");

    function setUp() public {
        json = vm.readFile(FIXTURE);
        harness = new StatementHarness();
        echo = new EchoVerifier();
    }

    // --- fixture loading -----------------------------------------------------------------------------------------

    function _uint(string memory key) internal view returns (uint256) {
        return vm.parseJsonUint(json, key);
    }

    /// @dev A fixture number that must fit `bits` bits (the on-chain type of that statement field).
    function _small(string memory key, uint256 bits) internal view returns (uint256 v) {
        v = _uint(key);
        assertLt(v, uint256(1) << bits, string.concat(key, " fits its on-chain type"));
    }

    function _inference(string memory key) internal view returns (Inference memory f) {
        f.input = vm.parseJsonUintArray(json, string.concat(key, ".inputWords"));
        f.output = vm.parseJsonUintArray(json, string.concat(key, ".outputWords"));
        f.weightsCommitment = _uint(string.concat(key, ".weightsCommitment"));
        f.prover = vm.parseJsonAddress(json, string.concat(key, ".prover"));
        f.publicInputs = vm.parseJsonUintArray(json, string.concat(key, ".publicInputs"));
        assertGt(f.input.length, 0, "inference has input words");
        assertGt(f.output.length, 0, "inference has output words");
    }

    function _trainStep() internal view returns (TrainStep memory f) {
        f.headBefore = _uint(".trainStep.headBefore");
        f.headAfter = _uint(".trainStep.headAfter");
        f.datasetRoot = _uint(".trainStep.datasetRoot");
        f.seed = _uint(".trainStep.seed");
        // Checked to fit 64 bits just above.
        // forge-lint: disable-next-line(unsafe-typecast)
        f.step = uint64(_small(".trainStep.step", 64));
        f.prover = vm.parseJsonAddress(json, ".trainStep.prover");
        f.publicInputs = vm.parseJsonUintArray(json, ".trainStep.publicInputs");
    }

    function _eval() internal view returns (Eval memory f) {
        f.head = _uint(".eval.head");
        f.evalRoot = _uint(".eval.evalRoot");
        // Each checked to fit its type just above.
        // forge-lint: disable-next-line(unsafe-typecast)
        f.correct = uint32(_small(".eval.correct", 32));
        // forge-lint: disable-next-line(unsafe-typecast)
        f.lossSum = uint64(_small(".eval.lossSum", 64));
        // forge-lint: disable-next-line(unsafe-typecast)
        f.total = uint32(_small(".eval.total", 32));
        f.evaluator = vm.parseJsonAddress(json, ".eval.evaluator");
        f.publicInputs = vm.parseJsonUintArray(json, ".eval.publicInputs");
    }

    // --- shared checks -------------------------------------------------------------------------------------------

    /// @dev `got` equals `want` element by element, every element is a field element, and the payee decodes back
    ///      from the word at `payeeIndex`.
    function _assertVector(
        uint256[] memory got,
        uint256[] memory want,
        uint256 payeeIndex,
        address payee,
        string memory what
    ) internal pure {
        assertEq(got.length, want.length, string.concat(what, ": length"));
        for (uint256 i; i < want.length; ++i) {
            assertEq(got[i], want[i], string.concat(what, ": word ", vm.toString(i)));
            assertLt(want[i], Statement.SCALAR_FIELD, string.concat(what, ": word in field ", vm.toString(i)));
        }
        assertEq(Statement.payeeOf(want[payeeIndex]), payee, string.concat(what, ": payee decodes back"));
    }

    /// @dev The public inputs `Statement.verifyInference` sends to the verifier (read back through EchoVerifier).
    function _sent(Inference memory f, bool privateWeights, address payee) internal view returns (uint256[] memory) {
        uint256[8] memory proof;
        try harness.verifyInference(
            address(echo), proof, f.input, f.output, privateWeights, f.weightsCommitment, payee
        ) returns (
            bool
        ) {
            revert("EchoVerifier always reverts");
        } catch (bytes memory err) {
            // Reading the selector: the first 4 bytes of the revert data.
            // forge-lint: disable-next-line(unsafe-typecast)
            assertEq(bytes4(err), EchoVerifier.EchoVerifierSeen.selector, "echoed inputs");
            bytes memory args = new bytes(err.length - 4);
            for (uint256 i; i < args.length; ++i) {
                args[i] = err[i + 4];
            }
            return abi.decode(args, (uint256[]));
        }
    }

    function _checkInference(string memory key, bool expectPrivate) internal view {
        Inference memory f = _inference(key);
        bool privateWeights = f.weightsCommitment != 0;
        assertEq(privateWeights, expectPrivate, string.concat(key, ": weights commitment presence"));
        uint256 lastOutput = f.input.length + f.output.length - 1;
        assertTrue(Statement.hasPayeeRoom(f.output[f.output.length - 1]), string.concat(key, ": output payee-free"));
        assertEq(
            f.publicInputs.length,
            Statement.inferenceWords(f.input.length, f.output.length, privateWeights),
            string.concat(key, ": word count")
        );

        uint256[] memory built = Statement.inference(f.input, f.output, privateWeights, f.weightsCommitment, f.prover);
        _assertVector(built, f.publicInputs, lastOutput, f.prover, string.concat(key, " (memory builder)"));
        uint256[] memory sent = _sent(f, privateWeights, f.prover);
        _assertVector(sent, f.publicInputs, lastOutput, f.prover, string.concat(key, " (in-place builder)"));
        if (privateWeights) assertEq(f.publicInputs[lastOutput + 1], f.weightsCommitment, "commitment comes last");

        // Bound to someone else, only the last output word changes.
        uint256[] memory copied = _sent(f, privateWeights, other);
        for (uint256 i; i < copied.length; ++i) {
            if (i == lastOutput) {
                assertNotEq(copied[i], f.publicInputs[i], "another payee changes the payee word");
                assertEq(Statement.payeeOf(copied[i]), other);
            } else {
                assertEq(copied[i], f.publicInputs[i], "another payee changes nothing else");
            }
        }
    }

    // --- constants -----------------------------------------------------------------------------------------------

    function test_Constants_MatchFixture() public view {
        assertEq(_uint(".scalarField"), Statement.SCALAR_FIELD, "r");
        assertEq(_uint(".payeeShift"), Statement.PAYEE_SHIFT, "payee shift");
        assertEq(_uint(".addressBits"), Statement.ADDRESS_BITS, "address bits");
    }

    function test_Constants_BoundWordStaysInField() public pure {
        // A payload below 2^88 with an address above it is below 2^248 < r.
        assertLt(uint256(1) << (Statement.PAYEE_SHIFT + Statement.ADDRESS_BITS), Statement.SCALAR_FIELD);
        uint256 largest = Statement.bindPayee((uint256(1) << Statement.PAYEE_SHIFT) - 1, address(type(uint160).max));
        assertEq(largest, (uint256(1) << 248) - 1);
        assertTrue(Statement.isField(largest));
        assertTrue(Statement.isField(Statement.SCALAR_FIELD - 1));
        assertFalse(Statement.isField(Statement.SCALAR_FIELD));
        assertEq(Statement.STEP_INPUT_WORDS + Statement.STEP_OUTPUT_WORDS, Statement.STEP_WORDS);
    }

    // --- inference -----------------------------------------------------------------------------------------------

    function test_Inference_PublicWeightsMatchesFixture() public view {
        _checkInference(".inference", false);
    }

    function test_Inference_PrivateWeightsMatchesFixture() public view {
        _checkInference(".inferencePrivate", true);
    }

    function test_Inference_PrivateWeightsFlagAppendsCommitment() public view {
        Inference memory f = _inference(".inferencePrivate");
        uint256[] memory without = Statement.inference(f.input, f.output, false, f.weightsCommitment, f.prover);
        assertEq(without.length, f.publicInputs.length - 1, "no commitment without private weights");
        for (uint256 i; i < without.length; ++i) {
            assertEq(without[i], f.publicInputs[i]);
        }
        assertEq(_sent(f, false, f.prover), without, "both builders leave the commitment out");
    }

    function test_Inference_AnotherOutputChangesItsWord() public view {
        Inference memory f = _inference(".inference");
        f.output[0] ^= 1;
        uint256[] memory built = Statement.inference(f.input, f.output, false, 0, f.prover);
        assertNotEq(built[f.input.length], f.publicInputs[f.input.length]);
        assertEq(_sent(f, false, f.prover), built);
    }

    function test_RevertWhen_Inference_VerifierReverts() public {
        Inference memory f = _inference(".inference");
        uint256[8] memory proof;
        vm.expectRevert(abi.encodeWithSelector(EchoVerifier.EchoVerifierSeen.selector, f.publicInputs));
        harness.verifyInference(address(echo), proof, f.input, f.output, false, 0, f.prover);
    }

    // --- training step -------------------------------------------------------------------------------------------

    function test_TrainStep_MatchesFixture() public view {
        TrainStep memory f = _trainStep();
        uint256[] memory built = Statement.trainStep(f.headBefore, f.headAfter, f.datasetRoot, f.seed, f.step, f.prover);
        assertEq(f.publicInputs.length, Statement.STEP_WORDS);
        _assertVector(built, f.publicInputs, Statement.STEP_WORDS - 1, f.prover, "trainStep");
        assertEq(f.publicInputs[4] & ((uint256(1) << Statement.PAYEE_SHIFT) - 1), f.step, "step below the payee");
    }

    function test_TrainStep_AnotherProverChangesOnlyTheLastWord() public view {
        TrainStep memory f = _trainStep();
        uint256[] memory copied = Statement.trainStep(f.headBefore, f.headAfter, f.datasetRoot, f.seed, f.step, other);
        for (uint256 i; i < 4; ++i) {
            assertEq(copied[i], f.publicInputs[i]);
        }
        assertNotEq(copied[4], f.publicInputs[4], "another prover, another statement");
        assertEq(Statement.payeeOf(copied[4]), other);
    }

    function test_TrainStep_NextStepIsAnotherStatement() public view {
        TrainStep memory f = _trainStep();
        uint256[] memory next =
            Statement.trainStep(f.headBefore, f.headAfter, f.datasetRoot, f.seed, f.step + 1, f.prover);
        assertNotEq(next[4], f.publicInputs[4]);
        assertEq(Statement.payeeOf(next[4]), f.prover, "the step never reaches the payee bits");
    }

    // --- evaluation ----------------------------------------------------------------------------------------------

    function test_Eval_MatchesFixture() public view {
        Eval memory f = _eval();
        uint256[] memory built = Statement.evaluation(f.head, f.evalRoot, f.correct, f.lossSum, f.total, f.evaluator);
        assertEq(f.publicInputs.length, Statement.EVAL_WORDS);
        _assertVector(built, f.publicInputs, Statement.EVAL_WORDS - 1, f.evaluator, "eval");
        assertEq(f.publicInputs[4] & ((uint256(1) << Statement.PAYEE_SHIFT) - 1), f.total, "total below the payee");
    }

    function test_Eval_AnotherEvaluatorOrScoreChangesTheStatement() public view {
        Eval memory f = _eval();
        uint256[] memory copied = Statement.evaluation(f.head, f.evalRoot, f.correct, f.lossSum, f.total, other);
        assertNotEq(copied[4], f.publicInputs[4], "another evaluator");
        assertEq(copied[3], f.publicInputs[3]);
        uint256[] memory better =
            Statement.evaluation(f.head, f.evalRoot, f.correct + 1, f.lossSum, f.total, f.evaluator);
        assertNotEq(better[2], f.publicInputs[2], "another score");
        assertEq(better[4], f.publicInputs[4]);
    }

    // --- properties ----------------------------------------------------------------------------------------------

    function testFuzz_BindPayee_RoundTrips(uint256 word, address payee) public pure {
        word = bound(word, 0, (uint256(1) << Statement.PAYEE_SHIFT) - 1);
        uint256 bound_ = Statement.bindPayee(word, payee);
        assertEq(Statement.payeeOf(bound_), payee);
        assertEq(bound_ & ((uint256(1) << Statement.PAYEE_SHIFT) - 1), word);
        assertTrue(Statement.isField(bound_));
        assertTrue(Statement.hasPayeeRoom(word));
    }

    function testFuzz_HasPayeeRoom_RefusesAnyHighBit(uint256 word) public pure {
        word = bound(word, uint256(1) << Statement.PAYEE_SHIFT, type(uint256).max);
        assertFalse(Statement.hasPayeeRoom(word));
    }

    /// @dev The market's in-place builder and the reference builder agree on any shape.
    function testFuzz_Inference_BuildersAgree(
        uint256 seed,
        uint8 inputWords,
        uint8 outputWords,
        bool privateWeights,
        address payee
    ) public view {
        Inference memory f;
        f.input = new uint256[](bound(inputWords, 1, 12));
        f.output = new uint256[](bound(outputWords, 1, 12));
        for (uint256 i; i < f.input.length; ++i) {
            f.input[i] = uint256(keccak256(abi.encode(seed, "in", i))) % Statement.SCALAR_FIELD;
        }
        for (uint256 i; i < f.output.length; ++i) {
            f.output[i] = uint256(keccak256(abi.encode(seed, "out", i))) % Statement.SCALAR_FIELD;
        }
        f.output[f.output.length - 1] >>= 256 - Statement.PAYEE_SHIFT;
        f.weightsCommitment = privateWeights ? uint256(keccak256(abi.encode(seed, "w"))) % Statement.SCALAR_FIELD : 0;
        uint256[] memory built = Statement.inference(f.input, f.output, privateWeights, f.weightsCommitment, payee);
        assertEq(_sent(f, privateWeights, payee), built);
        assertEq(built.length, Statement.inferenceWords(f.input.length, f.output.length, privateWeights));
        assertEq(Statement.payeeOf(built[f.input.length + f.output.length - 1]), payee);
    }
}
