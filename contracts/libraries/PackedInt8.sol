// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title PackedInt8
/// @notice Decodes int8 vectors packed into BN254 field elements, the layout mlproof uses for model inputs
///         and outputs in public inputs.
/// @dev Packing (must match the Rust packer): values v_0..v_{n-1} are packed 31 per word (31 bytes < r); value i
///      sits in word i / 31 at byte i % 31, little-endian, stored as the unsigned byte v_i + 128:
///      word_k = sum_j (v_{31k+j} + 128) * 256^j.
library PackedInt8 {
    /// @notice Number of int8 values per word.
    uint256 internal constant VALUES_PER_WORD = 31;

    /// @notice Fewer words than needed to hold the requested values.
    /// @param words Words supplied.
    /// @param needed Words needed.
    error PackedInt8TooFewWords(uint256 words, uint256 needed);

    /// @notice Words needed to hold `count` values: ceil(count / 31).
    function wordsFor(uint256 count) internal pure returns (uint256) {
        return (count + VALUES_PER_WORD - 1) / VALUES_PER_WORD;
    }

    /// @notice Value `index` of a packed vector.
    /// @dev Reverts with a Panic (out of bounds) if `index / 31 >= words.length`.
    function at(uint256[] memory words, uint256 index) internal pure returns (int8) {
        uint256 stored = (words[index / VALUES_PER_WORD] >> (8 * (index % VALUES_PER_WORD))) & 0xff;
        // stored is in [0, 255], so stored - 128 is in [-128, 127] and fits int8 exactly.
        // forge-lint: disable-next-line(unsafe-typecast)
        return int8(int256(stored) - 128);
    }

    /// @notice Index of the largest of the first `count` values; the first maximum wins on ties.
    /// @dev Reverts with PackedInt8TooFewWords if `words` cannot hold `count` values. `count` must be <= 256 so
    ///      that the index fits uint8; callers bound it (the consumer stores it as uint8).
    function argmax(uint256[] memory words, uint8 count) internal pure returns (uint8 best) {
        uint256 needed = wordsFor(count);
        if (words.length < needed) revert PackedInt8TooFewWords(words.length, needed);
        int8 bestValue = type(int8).min;
        for (uint256 i; i < count; ++i) {
            int8 value = at(words, i);
            // Strictly greater: the first maximum wins. Index 0 is the default, so all-(-128) yields 0.
            if (value > bestValue) {
                bestValue = value;
                // i < count <= 255, so it fits uint8.
                // forge-lint: disable-next-line(unsafe-typecast)
                best = uint8(i);
            }
        }
    }
}
