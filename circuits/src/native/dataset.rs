//! The training set as a Poseidon Merkle tree (native side), for data provenance in training proofs.
//!
//! * **Leaf** of a sample (int8 features `x`, class label `y`):
//!   `Poseidon(LEAF_TAG, len(x), w₀, w₁, …, y)`, where `wₖ` are the features packed 31 per word exactly as
//!   in [`crate::native::packing::pack_field`] (`Σ (v + 128)·256^j`); `LEAF_TAG` ([`leaf_tag`]) is the ASCII of
//!   `"mlproof-leaf-v1"` as an integer.
//! * **Node**: `Poseidon(NODE_TAG, left, right)`, `NODE_TAG` ([`node_tag`]) the ASCII of `"mlproof-node-v1"`.
//!
//! Both use the sponge of [`crate::gadgets::poseidon`] (width 3, α = 5, 8 full + 57 partial rounds) and
//! squeeze one element. The distinct tags keep a leaf from being passed off as a node and vice versa.
//!
//! **Shape.** For `n` samples the tree has depth `d = ceil(log2 n)` and `2^d` leaves; leaf `j` holds sample
//! `j mod n`. Every `d`-bit index is therefore a valid sample, which is what lets mini-batch indices be
//! `d` uniformly random bits ([`crate::gadgets::batch_index`]) with no rejection step in the circuit.
//! The price: the first `2^d − n` samples appear twice, so uniform leaf indices pick them with
//! probability `2/2^d` instead of `1/2^d` (for the digits training split, n = 1,257 and 2^d = 2,048:
//! samples 0–790 are drawn twice as often as samples 791–1,256). Shuffle the samples first (with a
//! committed permutation) if this over-weighting must not follow the file order.
//!
//! Leaf index bits are little-endian: bit `l` of the index says whether the node on the path at height
//! `l` is a right child (1) or a left child (0).

use ark_crypto_primitives::sponge::{
    poseidon::{PoseidonConfig, PoseidonSponge},
    Absorb, CryptographicSponge,
};
use ark_ff::PrimeField;

use crate::{
    error::DatasetError,
    native::{packing::pack_field, poseidon::config},
};

/// Result alias for data set operations.
pub type Result<T, E = DatasetError> = core::result::Result<T, E>;

/// Deepest supported tree (2^32 leaves; a tree that size would not fit in memory anyway).
pub const MAX_DEPTH: u32 = 32;

/// Leaf domain tag: the ASCII bytes of "mlproof-leaf-v1" as an integer.
#[must_use]
pub fn leaf_tag<F: PrimeField>() -> F {
    F::from_be_bytes_mod_order(b"mlproof-leaf-v1")
}

/// Node domain tag: the ASCII bytes of "mlproof-node-v1" as an integer.
#[must_use]
pub fn node_tag<F: PrimeField>() -> F {
    F::from_be_bytes_mod_order(b"mlproof-node-v1")
}

/// One training sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The int8 feature vector (64 quantized pixels for the digits set).
    pub features: Vec<i8>,
    /// The class label (0..=9 for the digits set; the tree does not check a class count).
    pub label: u8,
}

/// Leaf hash of `sample` (see the module doc).
#[must_use]
pub fn leaf_hash<F: PrimeField + Absorb>(config: &PoseidonConfig<F>, sample: &Sample) -> F {
    let mut elems = vec![leaf_tag::<F>(), F::from(sample.features.len() as u64)];
    elems.extend(pack_field::<F>(&sample.features));
    elems.push(F::from(sample.label));
    hash(config, &elems)
}

/// Internal node hash of two children.
#[must_use]
pub fn node_hash<F: PrimeField + Absorb>(config: &PoseidonConfig<F>, left: F, right: F) -> F {
    hash(config, &[node_tag::<F>(), left, right])
}

fn hash<F: PrimeField + Absorb>(config: &PoseidonConfig<F>, elems: &[F]) -> F {
    let mut sponge = PoseidonSponge::new(config);
    sponge.absorb(&elems);
    sponge.squeeze_field_elements::<F>(1)[0]
}

/// The sibling hashes from a leaf up to the root (bottom first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerklePath<F> {
    /// `siblings[l]` is the sibling of the path node at height `l`.
    pub siblings: Vec<F>,
}

impl<F: PrimeField + Absorb> MerklePath<F> {
    /// The root reached from `leaf` at leaf index `index` (bit `l` of `index`: path node at height `l`
    /// is a right child).
    #[must_use]
    pub fn root(&self, config: &PoseidonConfig<F>, leaf: F, index: u64) -> F {
        self.siblings.iter().enumerate().fold(leaf, |cur, (l, &sib)| {
            if (index >> l) & 1 == 1 {
                node_hash(config, sib, cur)
            } else {
                node_hash(config, cur, sib)
            }
        })
    }
}

/// A Poseidon Merkle tree over a training set (see the module doc for the hashing and the shape).
#[derive(Clone, Debug)]
pub struct DatasetTree<F> {
    samples: Vec<Sample>,
    /// `levels[0]` are the `2^d` leaves, `levels[d]` is `[root]`.
    levels: Vec<Vec<F>>,
}

impl<F: PrimeField + Absorb> DatasetTree<F> {
    /// Builds the tree. Deterministic: the same samples in the same order give the same root.
    pub fn new(samples: Vec<Sample>) -> Result<Self> {
        let first = samples.first().ok_or(DatasetError::Empty)?;
        let expected = first.features.len();
        if let Some((sample, s)) = samples.iter().enumerate().find(|(_, s)| s.features.len() != expected) {
            return Err(DatasetError::FeatureLength { sample, got: s.features.len(), expected });
        }
        let depth = samples.len().next_power_of_two().trailing_zeros();
        if depth > MAX_DEPTH {
            return Err(DatasetError::TooDeep { depth, max: MAX_DEPTH });
        }
        let config = config::<F>();
        let distinct: Vec<F> = samples.iter().map(|s| leaf_hash(&config, s)).collect();
        let leaves: Vec<F> = (0..1usize << depth).map(|j| distinct[j % samples.len()]).collect();
        let mut levels = vec![leaves];
        while levels.last().map_or(0, Vec::len) > 1 {
            let below = levels.last().expect("non-empty");
            let above = below.chunks(2).map(|pair| node_hash(&config, pair[0], pair[1])).collect();
            levels.push(above);
        }
        Ok(Self { samples, levels })
    }

    /// The root (to be registered on-chain).
    #[must_use]
    pub fn root(&self) -> F {
        self.levels[self.levels.len() - 1][0]
    }

    /// Depth `d = ceil(log2 n)`: leaf indices have `d` bits.
    #[must_use]
    pub fn depth(&self) -> u32 {
        (self.levels.len() - 1) as u32
    }

    /// Number of distinct samples `n` (the tree has `2^d ≥ n` leaves).
    #[must_use]
    pub fn num_samples(&self) -> usize {
        self.samples.len()
    }

    /// The samples, in tree order.
    #[must_use]
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The leaf hash at leaf `index`.
    pub fn leaf(&self, index: u64) -> Result<F> {
        self.check(index)?;
        Ok(self.levels[0][index as usize])
    }

    /// The sample at leaf `index` (sample `index mod n`).
    pub fn sample(&self, index: u64) -> Result<&Sample> {
        self.check(index)?;
        Ok(&self.samples[index as usize % self.samples.len()])
    }

    /// The authentication path of leaf `index`.
    pub fn path(&self, index: u64) -> Result<MerklePath<F>> {
        self.check(index)?;
        let siblings = self.levels[..self.levels.len() - 1]
            .iter()
            .enumerate()
            .map(|(l, level)| level[((index >> l) ^ 1) as usize])
            .collect();
        Ok(MerklePath { siblings })
    }

    fn check(&self, index: u64) -> Result<()> {
        let leaves = self.levels[0].len() as u64;
        if index >= leaves {
            return Err(DatasetError::IndexOutOfRange { index, leaves });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;

    fn samples(n: usize) -> Vec<Sample> {
        (0..n)
            .map(|i| Sample {
                features: (0..64).map(|k| ((i * 31 + k * 7) % 256) as u8 as i8).collect(),
                label: (i % 10) as u8,
            })
            .collect()
    }

    #[test]
    fn shape_repeats_samples_to_a_power_of_two() {
        for (n, d) in [(1usize, 0u32), (2, 1), (3, 2), (4, 2), (5, 3), (8, 3), (9, 4)] {
            let tree = DatasetTree::<Fr>::new(samples(n)).unwrap();
            assert_eq!(tree.depth(), d, "n = {n}");
            for j in 0..1u64 << d {
                assert_eq!(tree.sample(j).unwrap(), &samples(n)[j as usize % n]);
                assert_eq!(tree.leaf(j).unwrap(), leaf_hash(&config(), tree.sample(j).unwrap()));
            }
            assert_eq!(tree.path(1 << d), Err(DatasetError::IndexOutOfRange { index: 1 << d, leaves: 1 << d }));
        }
    }

    #[test]
    fn every_path_leads_to_the_root() {
        let tree = DatasetTree::<Fr>::new(samples(11)).unwrap();
        let config = config::<Fr>();
        for j in 0..16 {
            let path = tree.path(j).unwrap();
            assert_eq!(path.siblings.len(), 4);
            assert_eq!(path.root(&config, tree.leaf(j).unwrap(), j), tree.root());
            // The wrong index (one direction bit flipped) or a wrong leaf misses the root.
            assert_ne!(path.root(&config, tree.leaf(j).unwrap(), j ^ 2), tree.root());
            assert_ne!(path.root(&config, tree.leaf((j + 1) % 11).unwrap(), j), tree.root());
        }
    }

    #[test]
    fn root_is_deterministic_and_binds_every_field() {
        let base = DatasetTree::<Fr>::new(samples(6)).unwrap().root();
        assert_eq!(DatasetTree::<Fr>::new(samples(6)).unwrap().root(), base);
        let mut feature = samples(6);
        feature[3].features[63] = feature[3].features[63].wrapping_add(1);
        let mut label = samples(6);
        label[3].label = 9 - label[3].label;
        let mut order = samples(6);
        order.swap(1, 2);
        for (what, s) in [("feature", feature), ("label", label), ("order", order), ("count", samples(7))] {
            assert_ne!(DatasetTree::<Fr>::new(s).unwrap().root(), base, "{what}");
        }
        // Leaves and nodes are domain-separated: the same inputs hash differently.
        let config = config::<Fr>();
        let s = Sample { features: vec![], label: 0 };
        assert_ne!(leaf_hash(&config, &s), node_hash(&config, Fr::from(0u64), Fr::from(0u64)));
    }

    #[test]
    fn rejects_empty_and_ragged_sets() {
        assert_eq!(DatasetTree::<Fr>::new(vec![]).unwrap_err(), DatasetError::Empty);
        let mut s = samples(3);
        s[2].features.pop();
        assert_eq!(
            DatasetTree::<Fr>::new(s).unwrap_err(),
            DatasetError::FeatureLength { sample: 2, got: 63, expected: 64 }
        );
    }
}
