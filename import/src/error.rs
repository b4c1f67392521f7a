//! Errors of the import crate.

use thiserror::Error;

/// Result alias for this crate.
pub type Result<T, E = ImportError> = core::result::Result<T, E>;

/// Why a model or data set could not be imported.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The bytes are not a valid ONNX protobuf.
    #[error("not a valid ONNX file: {0}")]
    Protobuf(#[from] prost::DecodeError),
    /// The graph uses an operator mlproof cannot prove.
    #[error("unsupported ONNX operator {op_type:?} (node {node:?}); supported: Gemm, MatMul, Add, Relu, Flatten, Conv, MaxPool, AveragePool")]
    UnsupportedOp {
        /// The operator.
        op_type: String,
        /// The node's name.
        node: String,
    },
    /// The graph is not of a supported shape.
    #[error("unsupported ONNX graph: {0}")]
    Graph(String),
    /// A tensor is malformed.
    #[error("tensor {name:?}: {reason}")]
    Tensor {
        /// Tensor name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// The quantized model failed validation.
    #[error(transparent)]
    Model(#[from] mlproof_circuits::ModelError),
    /// The data set is malformed.
    #[error("data set: {0}")]
    Dataset(String),
    /// Filesystem error.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

impl ImportError {
    /// Wraps an I/O error with its path.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Self::Io { path: path.as_ref().display().to_string(), source }
    }
}
