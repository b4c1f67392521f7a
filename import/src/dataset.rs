//! The UCI digits data set (1,797 8×8 images, pixels 0–16, 10 classes; CC BY 4.0) as shipped in
//! scikit-learn's wheel, committed as `data/digits.csv.gz`, with its fixed split in
//! `data/digits_split.json` (stratified, 30 % held out, made by `models/digits/train.py`).

use std::{io::Read, path::Path};

use mlproof_circuits::dataset::Sample;
use serde::Deserialize;

use crate::error::{ImportError, Result};

/// Pixels per image.
pub const PIXELS: usize = 64;

/// The digits data set.
#[derive(Clone, Debug)]
pub struct Digits {
    /// Images, 64 pixels in 0..=16 each.
    pub images: Vec<[u8; PIXELS]>,
    /// Labels 0..=9.
    pub labels: Vec<u8>,
    /// Training indices.
    pub train: Vec<usize>,
    /// Held-out indices.
    pub test: Vec<usize>,
}

#[derive(Deserialize)]
struct Split {
    train: Vec<usize>,
    test: Vec<usize>,
}

impl Digits {
    /// Loads `data/digits.csv.gz` and `data/digits_split.json` under `root`.
    pub fn load(root: &Path) -> Result<Self> {
        let csv_path = root.join("data/digits.csv.gz");
        let file = std::fs::File::open(&csv_path).map_err(|e| ImportError::io(&csv_path, e))?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(file).read_to_string(&mut text).map_err(|e| ImportError::io(&csv_path, e))?;
        let mut images = Vec::new();
        let mut labels = Vec::new();
        for (ln, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let vals: Vec<f64> = line
                .split(',')
                .map(|v| v.trim().parse::<f64>().map_err(|e| ImportError::Dataset(format!("line {}: {e}", ln + 1))))
                .collect::<Result<_>>()?;
            if vals.len() != PIXELS + 1 {
                return Err(ImportError::Dataset(format!("line {}: {} columns, expected 65", ln + 1, vals.len())));
            }
            let mut img = [0u8; PIXELS];
            for (p, v) in img.iter_mut().zip(&vals) {
                if !(0.0..=16.0).contains(v) || v.fract() != 0.0 {
                    return Err(ImportError::Dataset(format!(
                        "line {}: pixel {v} is not an integer in 0..=16",
                        ln + 1
                    )));
                }
                // Checked to be an integer in 0..=16.
                *p = *v as u8;
            }
            let label = vals[PIXELS];
            if !(0.0..=9.0).contains(&label) || label.fract() != 0.0 {
                return Err(ImportError::Dataset(format!("line {}: label {label} is not 0..=9", ln + 1)));
            }
            images.push(img);
            labels.push(label as u8);
        }
        let split_path = root.join("data/digits_split.json");
        let split_text = std::fs::read_to_string(&split_path).map_err(|e| ImportError::io(&split_path, e))?;
        let split: Split = serde_json::from_str(&split_text)
            .map_err(|e| ImportError::Dataset(format!("{}: {e}", split_path.display())))?;
        if let Some(i) = split.train.iter().chain(&split.test).find(|&&i| i >= images.len()) {
            return Err(ImportError::Dataset(format!("split index {i} is out of range ({} images)", images.len())));
        }
        Ok(Self { images, labels, train: split.train, test: split.test })
    }

    /// Float input of image `i` as the float model expects it: pixel / 16 ∈ [0, 1].
    #[must_use]
    pub fn float_input(&self, i: usize) -> Vec<f32> {
        self.images[i].iter().map(|&p| f32::from(p) / 16.0).collect()
    }

    /// Quantized int8 input of image `i`: `round(pixel / 16 · 127)` ∈ [0, 127] (input scale 1/127).
    #[must_use]
    pub fn quantized_input(&self, i: usize) -> Vec<i8> {
        // (p·127 + 8) / 16 is round(p·127/16) for p in 0..=16, at most 127.
        self.images[i].iter().map(|&p| ((u16::from(p) * 127 + 8) / 16) as i8).collect()
    }

    /// The training split as samples for a data set tree ([`mlproof_circuits::dataset::DatasetTree`]),
    /// in split order: quantized inputs and labels.
    #[must_use]
    pub fn train_samples(&self) -> Vec<Sample> {
        self.train.iter().map(|&i| Sample { features: self.quantized_input(i), label: self.labels[i] }).collect()
    }
}
