//! The trainable MLP in circuits: what the training-step circuit ([`crate::train`]) and the
//! evaluation circuit ([`crate::eval`]) share, so neither reaches into the other.
//!
//! * [`shape`] — the dimensions ([`MlpDims`]) and the rescale widths from worst-case bounds
//!   ([`Widths`]);
//! * [`params`] — the parameters as range-checked private tensors ([`alloc_params`]) and the head
//!   commitment over them ([`head`], native side);
//! * [`sample`] — one int8 sample with a one-hot label ([`alloc_sample`]);
//! * [`forward`] — the forward pass of [`crate::native::trainer::Mlp::forward`] and the error
//!   against the one-hot target.

pub mod forward;
pub mod params;
pub mod sample;
pub mod shape;

pub use forward::{error, forward, ForwardVars};
pub use params::{alloc_params, head, weight_words, Params};
pub use sample::{alloc_sample, SampleVars};
pub use shape::{MlpDims, Widths};
