//! Importing and evaluating models on the digits data set.

use std::path::Path;

use mlproof_circuits::{native::engine, QuantModel};

use crate::{
    dataset::Digits,
    error::Result,
    float::{argmax_f32, FloatModel},
    onnx,
    quantize::{quantize, QuantizeConfig},
};

/// Accuracy of an import, on the held-out split.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Accuracy {
    /// Float model accuracy.
    pub float_accuracy: f64,
    /// Quantized model accuracy (native engine, bit-exact with the circuit).
    pub quantized_accuracy: f64,
    /// Held-out samples evaluated.
    pub samples: usize,
}

/// Float accuracy of `float` on the held-out split.
#[must_use]
pub fn float_accuracy(float: &FloatModel, data: &Digits) -> f64 {
    let ok = data
        .test
        .iter()
        .filter(|&&i| argmax_f32(&float.forward(&data.float_input(i))) == usize::from(data.labels[i]))
        .count();
    ok as f64 / data.test.len() as f64
}

/// Quantized accuracy of `model` on the held-out split.
pub fn quantized_accuracy(model: &QuantModel, data: &Digits) -> Result<f64> {
    let mut ok = 0usize;
    for &i in &data.test {
        if engine::argmax(&engine::forward(model, &data.quantized_input(i))?) == usize::from(data.labels[i]) {
            ok += 1;
        }
    }
    Ok(ok as f64 / data.test.len() as f64)
}

/// Imports an ONNX digits model, quantizes it calibrated on the training split, and measures both.
pub fn import_digits(onnx_path: &Path, root: &Path, name: Option<&str>) -> Result<(QuantModel, Accuracy)> {
    import_digits_with(onnx_path, root, name, QuantizeConfig::default(), None)
}

/// [`import_digits`] with explicit quantization settings and, optionally, only the first
/// `calibration_samples` training images for calibration.
pub fn import_digits_with(
    onnx_path: &Path,
    root: &Path,
    name: Option<&str>,
    cfg: QuantizeConfig,
    calibration_samples: Option<usize>,
) -> Result<(QuantModel, Accuracy)> {
    let data = Digits::load(root)?;
    let mut float = onnx::from_file(onnx_path)?;
    if let Some(n) = name {
        n.clone_into(&mut float.name);
    }
    let take = calibration_samples.unwrap_or(data.train.len()).clamp(1, data.train.len());
    let calib: Vec<Vec<f32>> = data.train[..take].iter().map(|&i| data.float_input(i)).collect();
    let model = quantize(&float, &calib, cfg)?;
    let acc = Accuracy {
        float_accuracy: float_accuracy(&float, &data),
        quantized_accuracy: quantized_accuracy(&model, &data)?,
        samples: data.test.len(),
    };
    Ok((model, acc))
}
