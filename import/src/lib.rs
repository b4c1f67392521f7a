//! # mlproof-import
//!
//! From float models to the quantized format the circuits prove:
//!
//! * [`onnx`] — reads ONNX files (a chain of Gemm / MatMul + Add / Relu / Flatten) into a [`FloatModel`];
//!   any other operator is rejected by name;
//! * [`float`] — the float model and its reference inference;
//! * [`quantize`] — post-training quantization calibrated on sample data (int8 weights and
//!   activations, int32 biases, integer multiplier + shift requantization);
//! * [`dataset`] — the UCI digits data set and its fixed held-out split.

pub mod dataset;
pub mod digits_model;
pub mod error;
pub mod float;
pub mod onnx;
pub mod quantize;

pub use error::{ImportError, Result};
pub use float::{FloatLayer, FloatModel};
