// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClassifierConsumer} from "../contracts/interfaces/IClassifierConsumer.sol";
import {Test} from "forge-std/Test.sol";
import {DigitsClassifierConsumer} from "../contracts/examples/DigitsClassifierConsumer.sol";
import {IVerifiedOutputs} from "../contracts/interfaces/IVerifiedOutputs.sol";
import {PackedInt8} from "../contracts/libraries/PackedInt8.sol";
import {Int8Packing} from "./utils/Int8Packing.sol";
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

    function _setOutput(uint256[] memory input, uint256[] memory words) internal returns (bytes32 inputHash) {
        inputHash = keccak256(abi.encodePacked(input));
        outputs.set(MODEL_ID, inputHash, words);
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
        bytes32 inputHash = _setOutput(input, _one(0x89888786858483828180));

        vm.expectEmit(true, false, false, true, address(consumer));
        emit IClassifierConsumer.Classified(inputHash, 9);
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

    function test_RevertWhen_Classify_OutputTooShort() public {
        DigitsClassifierConsumer wide = new DigitsClassifierConsumer(outputs, MODEL_ID, 32);
        uint256[] memory input = _input(7);
        _setOutput(input, _one(0));
        vm.expectRevert(abi.encodeWithSelector(PackedInt8.PackedInt8TooFewWords.selector, 1, 2));
        wide.classify(input);
    }

    function test_RevertWhen_Classify_NotVerified() public {
        uint256[] memory input = _input(8);
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassifierConsumer.ConsumerOutputNotVerified.selector, keccak256(abi.encodePacked(input))
            )
        );
        consumer.classify(input);
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
        bytes32 inputHash = keccak256(abi.encodePacked(input));
        outputs.set(MODEL_ID + 1, inputHash, _one(0x89));
        vm.expectRevert(abi.encodeWithSelector(IClassifierConsumer.ConsumerOutputNotVerified.selector, inputHash));
        consumer.classify(input);
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

/// @notice End to end: a real proof is submitted to the hub, then the consumer classifies the same input.
contract DigitsClassifierConsumerFixtureTest is SliceMlpFixture {
    DigitsClassifierConsumer internal consumer;

    function setUp() public {
        _setUpSlice();
        consumer = new DigitsClassifierConsumer(hub, sliceModelId, SLICE_CLASSES);
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
        vm.expectRevert(
            abi.encodeWithSelector(
                IClassifierConsumer.ConsumerOutputNotVerified.selector, keccak256(abi.encodePacked(fxInput))
            )
        );
        consumer.classify(fxInput);

        _submitFixture(fxProver);

        uint8 expected = _expectedLabel();
        assertEq(consumer.predictedClass(fxInput), expected);
        vm.expectEmit(true, false, false, true, address(consumer));
        emit IClassifierConsumer.Classified(keccak256(abi.encodePacked(fxInput)), expected);
        assertEq(consumer.classify(fxInput), expected);
        assertEq(consumer.lastLabel(), expected);
    }

    /// @dev The label also equals the argmax of the fixture's unpacked logits as written by Rust.
    function test_Classify_MatchesRustLogits() public {
        _submitFixture(fxProver);
        uint256 best;
        for (uint256 i = 1; i < fxOutputValues.length; ++i) {
            if (fxOutputValues[i] > fxOutputValues[best]) best = i;
        }
        assertEq(consumer.classify(fxInput), best);
    }
}
