// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "forge-std/Test.sol";
import {DigitsClassifierConsumer} from "../contracts/examples/DigitsClassifierConsumer.sol";
import {IClassifierConsumer} from "../contracts/interfaces/IClassifierConsumer.sol";
import {ITaskMarket} from "../contracts/interfaces/ITaskMarket.sol";
import {PackedInt8} from "../contracts/libraries/PackedInt8.sol";
import {Int8Packing} from "./utils/Int8Packing.sol";
import {MarketTestBase} from "./utils/MarketTestBase.sol";
import {MockGroth16Verifier} from "./utils/MockGroth16Verifier.sol";
import {MockVerifiedOutputs} from "./utils/MockVerifiedOutputs.sol";
import {SliceMlpFixture} from "./utils/SliceMlpFixture.sol";

/// @notice Decoding and argmax of packed int8 logits, against hand-packed words and a reference packer.
contract DigitsClassifierConsumerTest is Test {
    uint256 internal constant MODEL_ID = 1;

    MockVerifiedOutputs internal outputs;
    DigitsClassifierConsumer internal consumer;

    function setUp() public {
        outputs = new MockVerifiedOutputs();
        consumer = new DigitsClassifierConsumer(outputs, MODEL_ID, 10);
    }

    function _input(uint256 seed) internal pure returns (uint256[] memory input) {
        input = new uint256[](3);
        input[0] = seed;
        input[1] = seed + 1;
        input[2] = seed + 2;
    }

    /// @dev Records `words` as the verified output for `input` (inputCommitment = keccak256(abi.encodePacked(input))).
    function _setOutput(uint256[] memory input, uint256[] memory words) internal returns (bytes32 inputCommitment) {
        inputCommitment = keccak256(abi.encodePacked(input));
        outputs.set(MODEL_ID, inputCommitment, words);
    }

    function _one(uint256 word) internal pure returns (uint256[] memory w) {
        w = new uint256[](1);
        w[0] = word;
    }

    function test_Constructor_SetsState() public view {
        assertEq(address(consumer.outputs()), address(outputs));
        assertEq(consumer.modelId(), MODEL_ID);
        assertEq(consumer.numClasses(), 10);
        assertEq(consumer.lastLabel(), 0);
    }

    function test_RevertWhen_Constructor_ZeroClasses() public {
        vm.expectRevert(abi.encodeWithSelector(IClassifierConsumer.ConsumerInvalidNumClasses.selector, 0));
        new DigitsClassifierConsumer(outputs, MODEL_ID, 0);
    }

    /// @dev Logits 0,1,...,9 are stored as bytes 0x80..0x89, little-endian: argmax is 9.
    function test_Classify_HandPackedAscending() public {
        uint256[] memory input = _input(1);
        bytes32 inputCommitment = _setOutput(input, _one(0x89888786858483828180));

        vm.expectEmit(true, false, false, true, address(consumer));
        emit IClassifierConsumer.Classified(inputCommitment, 9);
        assertEq(consumer.classify(input), 9);
        assertEq(consumer.lastLabel(), 9);
        assertEq(consumer.predictedClass(input), 9);
    }

    /// @dev Logits [-128, 127, 127, -128 x7]: bytes 0x00, 0xff, 0xff, 0x00...; the first maximum (1) wins.
    function test_Classify_HandPackedTieFirstMaximumWins() public {
        uint256[] memory input = _input(2);
        _setOutput(input, _one(0xffff00));
        assertEq(consumer.classify(input), 1);
    }

    /// @dev All logits equal (-128, i.e. all-zero bytes): label 0.
    function test_Classify_AllMinimumIsZero() public {
        uint256[] memory input = _input(3);
        _setOutput(input, _one(0));
        assertEq(consumer.classify(input), 0);
    }

    /// @dev Negative logits: [-1, -2, -3, 5, -128, ...]: bytes 0x7f 0x7e 0x7d 0x85 0x00...; argmax 3.
    function test_Classify_HandPackedNegatives() public {
        uint256[] memory input = _input(4);
        _setOutput(input, _one(0x857d7e7f));
        assertEq(consumer.predictedClass(input), 3);
    }

    /// @dev Bytes at or beyond numClasses are ignored, even the highest one.
    function test_Classify_IgnoresBytesBeyondNumClasses() public {
        uint256[] memory input = _input(5);
        // Class 2 is 0x90 (+16); byte 10 (class 10, not read) is 0xff (+127).
        _setOutput(input, _one((uint256(0xff) << 80) | (uint256(0x90) << 16)));
        assertEq(consumer.classify(input), 2);
    }

    /// @dev 40 classes span two words; the maximum sits at class 35 = word 1, byte 4.
    function test_Classify_SpansTwoWords() public {
        DigitsClassifierConsumer wide = new DigitsClassifierConsumer(outputs, MODEL_ID, 40);
        uint256[] memory words = new uint256[](2);
        words[0] = uint256(0x90) << (8 * 30); // class 30: +16
        words[1] = uint256(0xa0) << (8 * 4); // class 35: +32
        uint256[] memory input = _input(6);
        _setOutput(input, words);
        assertEq(wide.classify(input), 35);
    }

    /// @dev The last label is overwritten by each classification.
    function test_Classify_UpdatesLastLabel() public {
        uint256[] memory a = _input(11);
        uint256[] memory b = _input(12);
        _setOutput(a, _one(0x89888786858483828180)); // label 9
        _setOutput(b, _one(0x8f80)); // label 1
        consumer.classify(a);
        assertEq(consumer.lastLabel(), 9);
        consumer.classify(b);
        assertEq(consumer.lastLabel(), 1);
    }

    function test_RevertWhen_Classify_OutputTooShort() public {
        DigitsClassifierConsumer wide = new DigitsClassifierConsumer(outputs, MODEL_ID, 32);
        uint256[] memory input = _input(7);
        _setOutput(input, _one(0));
        vm.expectRevert(abi.encodeWithSelector(PackedInt8.PackedInt8TooFewWords.selector, 1, 2));
        wide.classify(input);
    }

    /// @dev A verified but empty output cannot be decoded.
    function test_RevertWhen_Classify_EmptyOutput() public {
        uint256[] memory input = _input(13);
        _setOutput(input, new uint256[](0));
        vm.expectRevert(abi.encodeWithSelector(PackedInt8.PackedInt8TooFewWords.selector, 0, 1));
        consumer.classify(input);
    }

    function test_RevertWhen_Classify_NotVerified() public {
        uint256[] memory input = _input(8);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassifierConsumer.ConsumerOutputNotVerified.selector, keccak256(abi.encodePacked(input))
            )
        );
        consumer.classify(input);
        assertEq(consumer.lastLabel(), 0);
    }

    function test_RevertWhen_PredictedClass_NotVerified() public {
        uint256[] memory input = _input(9);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassifierConsumer.ConsumerOutputNotVerified.selector, keccak256(abi.encodePacked(input))
            )
        );
        consumer.predictedClass(input);
    }

    function test_RevertWhen_Classify_OtherModelOnly() public {
        uint256[] memory input = _input(10);
        bytes32 inputCommitment = keccak256(abi.encodePacked(input));
        outputs.set(MODEL_ID + 1, inputCommitment, _one(0x89));
        vm.expectRevert(abi.encodeWithSelector(IClassifierConsumer.ConsumerOutputNotVerified.selector, inputCommitment));
        consumer.classify(input);
    }

    /// @dev The commitment covers every input word in order: a permuted input is a different statement.
    function test_RevertWhen_Classify_PermutedInput() public {
        uint256[] memory input = _input(20);
        _setOutput(input, _one(0x89));
        uint256[] memory permuted = new uint256[](3);
        permuted[0] = input[1];
        permuted[1] = input[0];
        permuted[2] = input[2];
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassifierConsumer.ConsumerOutputNotVerified.selector, keccak256(abi.encodePacked(permuted))
            )
        );
        consumer.classify(permuted);
    }

    /// @dev Random logits, packed by the independent reference packer, decode and argmax identically.
    function testFuzz_Classify_MatchesReference(int8[62] memory raw, uint8 n) public {
        n = uint8(bound(n, 1, 62));
        int8[] memory values = new int8[](n);
        for (uint256 i; i < n; ++i) {
            values[i] = raw[i];
        }
        DigitsClassifierConsumer c = new DigitsClassifierConsumer(outputs, MODEL_ID, n);
        uint256[] memory input = _input(uint256(keccak256(abi.encode(raw, n))) >> 8);
        _setOutput(input, Int8Packing.pack(values));
        assertEq(c.classify(input), Int8Packing.argmax(values));
    }

    function testFuzz_PackedInt8_AtRoundTrips(int8[40] memory raw) public pure {
        int8[] memory values = new int8[](40);
        for (uint256 i; i < 40; ++i) {
            values[i] = raw[i];
        }
        uint256[] memory words = Int8Packing.pack(values);
        assertEq(words.length, PackedInt8.wordsFor(40));
        for (uint256 i; i < 40; ++i) {
            assertEq(PackedInt8.at(words, i), values[i]);
        }
    }
}

/// @notice Through the real market: an output becomes classifiable only once a task for it is fulfilled.
contract DigitsClassifierConsumerMarketTest is MarketTestBase {
    /// @dev Logits 0..9 as bytes 0x80..0x89 (little-endian): label 9.
    uint256 internal constant ASCENDING = 0x89888786858483828180;

    address internal prover = makeAddr("prover");

    uint256 internal modelId;
    MockGroth16Verifier internal verifier;
    DigitsClassifierConsumer internal consumer;

    function setUp() public {
        _deployCore();
        (modelId, verifier) = _registerMock(3, 1);
        consumer = new DigitsClassifierConsumer(market, modelId, 10);
        _stakeFor(prover, MIN_STAKE);
    }

    function _expectNotVerified(uint256[] memory input) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassifierConsumer.ConsumerOutputNotVerified.selector, keccak256(abi.encodePacked(input))
            )
        );
    }

    function test_Classify_AfterFulfil() public {
        uint256[] memory input = _words(11, 22, 33);
        (ITaskMarket.Task memory task,) = _post(modelId, input);

        // Posted but not fulfilled: nothing to classify.
        _expectNotVerified(input);
        consumer.classify(input);
        _expectNotVerified(input);
        consumer.predictedClass(input);

        // The verifier only accepts input ++ output with the prover at bit 88 of the output word, so the market
        // must pass exactly that; the consumer then reads the payee-free output.
        verifier.setExpectedInputsHash(
            keccak256(abi.encodePacked(input[0], input[1], input[2], ASCENDING | (uint256(uint160(prover)) << 88)))
        );
        vm.prank(prover);
        market.fulfil(task, _words(ASCENDING), _proof());

        (bool verified, uint256[] memory output) = market.verifiedOutput(modelId, keccak256(abi.encodePacked(input)));
        assertTrue(verified);
        assertEq(output.length, 1);
        assertEq(output[0], ASCENDING);

        assertEq(consumer.predictedClass(input), 9);
        vm.expectEmit(true, false, false, true, address(consumer));
        emit IClassifierConsumer.Classified(keccak256(abi.encodePacked(input)), 9);
        assertEq(consumer.classify(input), 9);
        assertEq(consumer.lastLabel(), 9);
    }

    /// @dev A rejected proof records nothing, so the consumer still refuses the input.
    function test_RevertWhen_Classify_ProofRejected() public {
        uint256[] memory input = _words(1, 2, 3);
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        verifier.setResult(false);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketInvalidProof.selector, id));
        vm.prank(prover);
        market.fulfil(task, _words(ASCENDING), _proof());

        _expectNotVerified(input);
        consumer.classify(input);
    }

    /// @dev The same input proven under another model does not count for the consumer's model.
    function test_RevertWhen_Classify_ProvenUnderOtherModel() public {
        (uint256 otherModel,) = _registerMock(3, 1);
        uint256[] memory input = _words(1, 2, 3);
        (ITaskMarket.Task memory task,) = _post(otherModel, input);
        vm.prank(prover);
        market.fulfil(task, _words(ASCENDING), _proof());
        (bool verified,) = market.verifiedOutput(otherModel, keccak256(abi.encodePacked(input)));
        assertTrue(verified);

        _expectNotVerified(input);
        consumer.classify(input);
    }

    /// @dev A locked task fulfilled by its prover is classifiable like an unlocked one.
    function test_Classify_AfterLockedFulfil() public {
        uint256[] memory input = _words(4, 5, 6);
        (ITaskMarket.Task memory task,) = _post(modelId, input);
        ITaskMarket.Task memory locked = _lock(task, prover);
        vm.prank(prover);
        market.fulfil(locked, _words(0x8f80), _proof()); // logits [0, 15, -128...]: label 1
        assertEq(consumer.classify(input), 1);
    }

    /// @dev Two output words go through the market's extra-output storage and decode across the word boundary.
    ///      The payee is packed into the last word only (above its 8 logits), never into the full first word.
    function test_Classify_TwoOutputWordsThroughMarket() public {
        (uint256 wideModel, MockGroth16Verifier v) = _registerMock(3, 2);
        DigitsClassifierConsumer wide = new DigitsClassifierConsumer(market, wideModel, 40);
        uint256[] memory input = _words(7, 8, 9);
        (ITaskMarket.Task memory task,) = _post(wideModel, input);
        uint256[] memory output = new uint256[](2);
        output[0] = uint256(0x90) << (8 * 30); // class 30: +16
        output[1] = uint256(0xa0) << (8 * 4); // class 35: +32
        v.setExpectedInputsHash(
            keccak256(abi.encodePacked(input, output[0], output[1] | (uint256(uint160(prover)) << 88)))
        );
        vm.prank(prover);
        market.fulfil(task, output, _proof());
        assertEq(wide.classify(input), 35);
        (, uint256[] memory stored) = market.verifiedOutput(wideModel, keccak256(abi.encodePacked(input)));
        assertEq(stored, output, "stored output has no payee bits");
    }

    /// @dev An output whose logits reach into the payee slot (byte 11 or higher of the last word) is refused, so
    ///      such an output can never become classifiable.
    function test_RevertWhen_Classify_OutputIntoPayeeSlot() public {
        DigitsClassifierConsumer twelve = new DigitsClassifierConsumer(market, modelId, 12);
        uint256[] memory input = _words(10, 11, 12);
        (ITaskMarket.Task memory task, bytes32 id) = _post(modelId, input);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarketOutputNotPacked.selector, id));
        vm.prank(prover);
        market.fulfil(task, _words(uint256(0xff) << 88), _proof()); // class 11: +127
        _expectNotVerified(input);
        twelve.classify(input);
    }
}

/// @notice End to end: the real slice-MLP proof is fulfilled through the market, then the consumer classifies
///         the same input.
contract DigitsClassifierConsumerFixtureTest is SliceMlpFixture {
    DigitsClassifierConsumer internal consumer;

    function setUp() public {
        _setUpSlice();
        consumer = new DigitsClassifierConsumer(market, sliceModelId, SLICE_CLASSES);
    }

    /// @dev Reference decoding of the fixture's logits, byte by byte from the big-endian word.
    function _expectedLabel() internal view returns (uint8 best) {
        bytes32 word = bytes32(fxOutput[0]);
        int256 bestValue = type(int256).min;
        for (uint256 i; i < SLICE_CLASSES; ++i) {
            int256 value = int256(uint256(uint8(word[31 - i]))) - 128;
            if (value > bestValue) {
                bestValue = value;
                // i < SLICE_CLASSES = 10, so it fits uint8.
                // forge-lint: disable-next-line(unsafe-typecast)
                best = uint8(i);
            }
        }
    }

    function test_Classify_AfterRealProof() public {
        (ITaskMarket.Task memory task,) = _postFixture();
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassifierConsumer.ConsumerOutputNotVerified.selector, keccak256(abi.encodePacked(fxInput))
            )
        );
        consumer.classify(fxInput);

        _fulfilFixture(task, fxProver);

        uint8 expected = _expectedLabel();
        assertEq(consumer.predictedClass(fxInput), expected);
        vm.expectEmit(true, false, false, true, address(consumer));
        emit IClassifierConsumer.Classified(keccak256(abi.encodePacked(fxInput)), expected);
        assertEq(consumer.classify(fxInput), expected);
        assertEq(consumer.lastLabel(), expected);
    }

    /// @dev The label also equals the argmax of the fixture's unpacked logits as written by Rust.
    function test_Classify_MatchesRustLogits() public {
        (ITaskMarket.Task memory task,) = _postFixture();
        _fulfilFixture(task, fxProver);
        uint256 best;
        for (uint256 i = 1; i < fxOutputValues.length; ++i) {
            if (fxOutputValues[i] > fxOutputValues[best]) best = i;
        }
        assertEq(consumer.classify(fxInput), best);
    }
}
