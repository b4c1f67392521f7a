// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test-side reference for the int8 packing convention, written independently of PackedInt8:
///         value i goes in word i / 31 at byte i % 31 (little-endian) as the unsigned byte v_i + 128.
library Int8Packing {
    function pack(int8[] memory values) internal pure returns (uint256[] memory words) {
        words = new uint256[]((values.length + 30) / 31);
        for (uint256 i; i < values.length; ++i) {
            uint256 stored = uint256(int256(values[i]) + 128);
            words[i / 31] |= stored << (8 * (i % 31));
        }
    }

    function argmax(int8[] memory values) internal pure returns (uint8 best) {
        for (uint256 i = 1; i < values.length; ++i) {
            // i < values.length <= 255 in the tests, so it fits uint8.
            // forge-lint: disable-next-line(unsafe-typecast)
            if (values[i] > values[best]) best = uint8(i);
        }
    }
}
