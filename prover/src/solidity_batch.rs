//! The batch half of the generated verifier: `vkHash`, `batchCoefficients` and `verifyBatch`,
//! the on-chain twin of [`crate::batch`] (docs/batch-verification.md).
//!
//! `verifyBatch` checks n proofs with one multi-pairing of n + 3 pairs:
//! `Πᵢ e(rᵢ·Aᵢ, Bᵢ) · e(s·α, −β) · e(Σⱼ tⱼ·ICⱼ, −γ) · e(Σᵢ rᵢ·Cᵢ, −δ) = 1` with `s = Σ rᵢ`,
//! `t₀ = s` and `tⱼ = Σᵢ rᵢ·xᵢⱼ` (mod r): per proof two scalar multiplications, one addition and
//! one pair; the input multiplications are shared by the whole batch.

use std::fmt::Write as _;

use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;

/// Solidity of the batch functions for `vk` (inserted into the verifier contract body).
#[must_use]
pub fn batch_functions(vk: &VerifyingKey<Bn254>) -> String {
    let n = vk.gamma_abc_g1.len() - 1;
    let mut msm = String::new();
    for j in 1..=n {
        let _ = write!(
            msm,
            "
            // vk += t{j} * IC{i}
            mstore(add(f, 0x40), IC{i}_X)
            mstore(add(f, 0x60), IC{i}_Y)
            mstore(add(f, 0x80), mload(add(t, {off})))
            ok := and(ok, staticcall(ECMUL_GAS, 0x07, add(f, 0x40), 0x60, add(f, 0x40), 0x40))
            ok := and(ok, staticcall(ECADD_GAS, 0x06, f, 0x80, f, 0x40))",
            j = j - 1,
            i = j,
            off = format_args!("0x{:x}", (j - 1) * 32),
        );
    }
    format!(
        r#"
    /// @inheritdoc IGroth16BatchVerifier
    function vkHash() external pure returns (bytes32) {{
        return VK_HASH;
    }}

    /// @inheritdoc IGroth16BatchVerifier
    function batchCoefficients(uint256[8][] calldata proofs, uint256[] calldata publicInputs)
        external
        pure
        returns (uint256[] memory coefficients)
    {{
        _checkBatch(proofs, publicInputs);
        uint256 seed = _batchSeed(proofs, publicInputs);
        coefficients = new uint256[](proofs.length);
        for (uint256 i; i < proofs.length; ++i) {{
            coefficients[i] = _coefficient(seed, i);
        }}
    }}

    /// @inheritdoc IGroth16BatchVerifier
    function verifyBatch(uint256[8][] calldata proofs, uint256[] calldata publicInputs)
        external
        view
        returns (bool valid)
    {{
        _checkBatch(proofs, publicInputs);
        uint256 seed = _batchSeed(proofs, publicInputs);
        assembly ("memory-safe") {{
            let n := proofs.length
            // f: [acc.x, acc.y, P.x, P.y, k] scratch for ecMul/ecAdd, then [seed, i] for the coefficients;
            // t: the N_PUBLIC input scalars; buf: the (n + 3) pairs of the multi-pairing.
            let f := mload(0x40)
            let t := add(f, 0x100)
            let buf := add(t, mul(N_PUBLIC, 0x20))
            for {{ let j := 0 }} lt(j, N_PUBLIC) {{ j := add(j, 1) }} {{ mstore(add(t, shl(5, j)), 0) }}
            mstore(add(f, 0xa0), seed)
            let ok := 1
            let s := 0
            for {{ let i := 0 }} lt(i, n) {{ i := add(i, 1) }} {{
                let pa := add(proofs.offset, shl(8, i))
                let slot := add(buf, mul(i, 0xc0))
                let r := 1
                calldatacopy(slot, pa, 0x40)
                switch i
                case 0 {{
                    // r_0 = 1: C accumulates from C_0, A_0 is taken as it is.
                    calldatacopy(f, add(pa, 0xc0), 0x40)
                }}
                default {{
                    mstore(add(f, 0xc0), i)
                    r := shr(128, keccak256(add(f, 0xa0), 0x40))
                    // r * A_i in place, then acc += r * C_i.
                    mstore(add(slot, 0x40), r)
                    ok := and(ok, staticcall(ECMUL_GAS, 0x07, slot, 0x60, slot, 0x40))
                    calldatacopy(add(f, 0x40), add(pa, 0xc0), 0x40)
                    mstore(add(f, 0x80), r)
                    ok := and(ok, staticcall(ECMUL_GAS, 0x07, add(f, 0x40), 0x60, add(f, 0x40), 0x40))
                    ok := and(ok, staticcall(ECADD_GAS, 0x06, f, 0x80, f, 0x40))
                }}
                calldatacopy(add(slot, 0x40), add(pa, 0x40), 0x80)
                s := addmod(s, r, R)
                let x := add(publicInputs.offset, mul(i, mul(N_PUBLIC, 0x20)))
                for {{ let j := 0 }} lt(j, N_PUBLIC) {{ j := add(j, 1) }} {{
                    let tp := add(t, shl(5, j))
                    mstore(tp, addmod(mload(tp), mulmod(r, calldataload(add(x, shl(5, j))), R), R))
                }}
            }}
            // Pairs n, n + 1, n + 2: (s * alpha, -beta), (vk, -gamma), (acc, -delta).
            let pa := add(buf, mul(n, 0xc0))
            let pg := add(pa, 0xc0)
            let pd := add(pg, 0xc0)
            mstore(pd, mload(f))
            mstore(add(pd, 0x20), mload(add(f, 0x20)))
            mstore(pa, ALPHA_X)
            mstore(add(pa, 0x20), ALPHA_Y)
            mstore(add(pa, 0x40), s)
            ok := and(ok, staticcall(ECMUL_GAS, 0x07, pa, 0x60, pa, 0x40))
            // vk = s * IC0 + sum_j t_j * IC(j + 1), accumulated at f.
            mstore(f, IC0_X)
            mstore(add(f, 0x20), IC0_Y)
            mstore(add(f, 0x40), s)
            ok := and(ok, staticcall(ECMUL_GAS, 0x07, f, 0x60, f, 0x40)){msm}
            mstore(pg, mload(f))
            mstore(add(pg, 0x20), mload(add(f, 0x20)))
            mstore(add(pa, 0x40), BETA_NEG_X1)
            mstore(add(pa, 0x60), BETA_NEG_X0)
            mstore(add(pa, 0x80), BETA_NEG_Y1)
            mstore(add(pa, 0xa0), BETA_NEG_Y0)
            mstore(add(pg, 0x40), GAMMA_NEG_X1)
            mstore(add(pg, 0x60), GAMMA_NEG_X0)
            mstore(add(pg, 0x80), GAMMA_NEG_Y1)
            mstore(add(pg, 0xa0), GAMMA_NEG_Y0)
            mstore(add(pd, 0x40), DELTA_NEG_X1)
            mstore(add(pd, 0x60), DELTA_NEG_X0)
            mstore(add(pd, 0x80), DELTA_NEG_Y1)
            mstore(add(pd, 0xa0), DELTA_NEG_Y0)
            let pairs := add(n, 3)
            let pairingGas := mul(2, add(PAIRING_BASE_GAS, mul(PAIRING_PAIR_GAS, pairs)))
            ok := and(ok, staticcall(pairingGas, 0x08, buf, mul(pairs, 0xc0), f, 0x20))
            valid := and(ok, mload(f))
        }}
    }}

    /// @dev Reverts unless the batch is non-empty, holds N_PUBLIC inputs per proof, every coordinate < q and every
    ///      input < r (checked word by word in assembly: a batch is n * (8 + N_PUBLIC) words).
    function _checkBatch(uint256[8][] calldata proofs, uint256[] calldata publicInputs) private pure {{
        uint256 n = proofs.length;
        if (n == 0) revert Groth16VerifierEmptyBatch();
        if (publicInputs.length != n * N_PUBLIC) {{
            revert Groth16VerifierWrongPublicInputCount(publicInputs.length, n * N_PUBLIC);
        }}
        uint256 bad = type(uint256).max;
        assembly ("memory-safe") {{
            let words := shl(3, n)
            for {{ let k := 0 }} lt(k, words) {{ k := add(k, 1) }} {{
                if iszero(lt(calldataload(add(proofs.offset, shl(5, k))), Q)) {{
                    bad := k
                    break
                }}
            }}
        }}
        if (bad != type(uint256).max) revert Groth16VerifierProofCoordinateNotInField(bad);
        assembly ("memory-safe") {{
            let words := publicInputs.length
            for {{ let k := 0 }} lt(k, words) {{ k := add(k, 1) }} {{
                if iszero(lt(calldataload(add(publicInputs.offset, shl(5, k))), R)) {{
                    bad := k
                    break
                }}
            }}
        }}
        if (bad != type(uint256).max) revert Groth16VerifierPublicInputNotInField(bad);
    }}

    /// @dev keccak256(abi.encodePacked(VK_HASH, n, proofs, publicInputs)), hashed in scratch memory past the free
    ///      memory pointer (not moved: the bytes are never read again).
    function _batchSeed(uint256[8][] calldata proofs, uint256[] calldata publicInputs)
        private
        pure
        returns (uint256 seed)
    {{
        assembly ("memory-safe") {{
            let ptr := mload(0x40)
            mstore(ptr, VK_HASH)
            mstore(add(ptr, 0x20), proofs.length)
            let p := shl(8, proofs.length)
            calldatacopy(add(ptr, 0x40), proofs.offset, p)
            let x := shl(5, publicInputs.length)
            calldatacopy(add(add(ptr, 0x40), p), publicInputs.offset, x)
            seed := keccak256(ptr, add(0x40, add(p, x)))
        }}
    }}

    /// @dev The i-th batch coefficient: 1 for i = 0, else the top 128 bits of keccak256(seed, i).
    function _coefficient(uint256 seed, uint256 i) private pure returns (uint256) {{
        if (i == 0) return 1;
        return uint256(keccak256(abi.encodePacked(seed, i))) >> 128;
    }}
"#
    )
}
