//! Layers as circuits: dense layers with public (constant) or private (committed) weights.

pub mod conv;
pub mod dense_private;
pub mod dense_public;
pub mod pool;
