//! Layers as circuits: dense layers with public (constant) or private (committed) weights.

pub mod dense_private;
pub mod dense_public;
