//! Errors of the circuits crate.

use thiserror::Error;

/// Result alias for this crate.
pub type Result<T, E = ModelError> = core::result::Result<T, E>;

/// Why a model or an input was rejected. Messages name the layer and the value at fault.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ModelError {
    /// The file is not JSON of the expected shape.
    #[error("model file is not valid JSON of the mlproof model format: {0}")]
    Parse(String),
    /// The `format` tag is not `mlproof-quant-model`.
    #[error("unknown model format {found:?}; expected \"mlproof-quant-model\"")]
    UnknownFormat {
        /// The tag found.
        found: String,
    },
    /// The format version is not supported by this build.
    #[error("unsupported model format version {found}; this build reads version {supported}")]
    UnsupportedVersion {
        /// The version found.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The model has no layers.
    #[error("model has no layers")]
    NoLayers,
    /// A layer's declared shape does not fit its neighbours or its data.
    #[error("layer {layer}: shape mismatch: {what} is {got}, expected {expected}")]
    Shape {
        /// Layer index.
        layer: usize,
        /// What was measured.
        what: &'static str,
        /// What was found.
        got: usize,
        /// What was expected.
        expected: usize,
    },
    /// A weight is outside the int8 range [-128, 127].
    #[error("layer {layer}: weight[{index}] = {value} is outside the int8 range [-128, 127]")]
    WeightOutOfRange {
        /// Layer index.
        layer: usize,
        /// Flat index into the weights.
        index: usize,
        /// The value found.
        value: i64,
    },
    /// A bias is outside the int32 range.
    #[error("layer {layer}: bias[{index}] = {value} is outside the int32 range")]
    BiasOutOfRange {
        /// Layer index.
        layer: usize,
        /// Index of the bias.
        index: usize,
        /// The value found.
        value: i64,
    },
    /// The requantization parameters are unusable.
    #[error("layer {layer}: invalid requantization: {reason}")]
    InvalidRequant {
        /// Layer index.
        layer: usize,
        /// Why.
        reason: String,
    },
    /// An input vector has the wrong length.
    #[error("input has {got} values, the model expects {expected}")]
    InputLength {
        /// Values supplied.
        got: usize,
        /// Values expected.
        expected: usize,
    },
    /// An input value is outside the int8 range.
    #[error("input[{index}] = {value} is outside the int8 range [-128, 127]")]
    InputOutOfRange {
        /// Index of the value.
        index: usize,
        /// The value found.
        value: i64,
    },
}

/// Why a training data set could not be put into a [`crate::native::dataset::DatasetTree`], or a lookup failed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DatasetError {
    /// No samples were given.
    #[error("the data set is empty; a dataset tree needs at least one sample")]
    Empty,
    /// A sample's feature vector is not as long as the first sample's.
    #[error("sample {sample} has {got} features, but sample 0 has {expected}; every sample needs the same length")]
    FeatureLength {
        /// Index of the offending sample.
        sample: usize,
        /// Its number of features.
        got: usize,
        /// The first sample's number of features.
        expected: usize,
    },
    /// The data set (or a requested index width) needs a deeper tree than supported.
    #[error("a tree of depth {depth} is requested; at most {max} is supported (2^{max} leaves)")]
    TooDeep {
        /// Depth needed.
        depth: u32,
        /// Largest supported depth.
        max: u32,
    },
    /// A leaf index beyond the tree's `2^depth` leaves.
    #[error("leaf index {index} is out of range: the tree has {leaves} leaves")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// Number of leaves (`2^depth`).
        leaves: u64,
    },
}
