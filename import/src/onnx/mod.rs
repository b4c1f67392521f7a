//! ONNX import.

pub mod graph;
pub mod proto;

pub use graph::{from_bytes, from_file};
