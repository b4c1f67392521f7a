//! `mlproof model`: write and inspect model files.

use std::path::PathBuf;

use eyre::{Context, Result};
use mlproof_circuits::{
    native::model::Layer,
    native::slice::{random_mlp, slice_model},
    statement::public_input_count,
    Visibility,
};
use mlproof_import::{digits_model::import_digits_with, quantize::QuantizeConfig};
use mlproof_prover::commitment::model_commitment;

use crate::common::{load_model, print_json};

/// Arguments of `mlproof model`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Write the deterministic slice model (64 → 16 → 10 int8 MLP).
    Slice {
        /// Output model file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a seeded random int8 MLP of any shape (e.g. `784,56,10`, the shape peers benchmark),
    /// calibrated so its activations use the int8 range.
    Random {
        /// Layer widths, input first: `784,56,10`.
        #[arg(long, value_delimiter = ',', required = true)]
        shape: Vec<usize>,
        /// RNG seed (the benchmark's `mlp_784_56_10` uses 7845610).
        #[arg(long, default_value_t = 784_56_10)]
        seed: u64,
        /// Output model file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Import an ONNX float model: quantize it (PTQ calibrated on the digits training split) and
    /// report float vs quantized accuracy on the held-out split.
    Import {
        /// ONNX file (a chain of Gemm / MatMul + Add / Relu / Flatten).
        #[arg(long)]
        onnx: PathBuf,
        /// Output model file.
        #[arg(long)]
        out: PathBuf,
        /// Model name (default: the ONNX graph name).
        #[arg(long)]
        name: Option<String>,
        /// Repository root holding data/ (default: found from the current directory).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Quantize an ONNX float model with explicit post-training-quantization settings, reporting
    /// float vs quantized accuracy on the digits held-out split (`import` uses the defaults).
    Quantize {
        /// ONNX file.
        #[arg(long)]
        onnx: PathBuf,
        /// Output model file.
        #[arg(long)]
        out: PathBuf,
        /// Model name (default: the ONNX graph name).
        #[arg(long)]
        name: Option<String>,
        /// Bits of each requantization multiplier (more: closer to the float scale, wider decompositions).
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(2..=30))]
        multiplier_bits: u32,
        /// Calibrate on the first N training images (default: all 1,257).
        #[arg(long)]
        calibration_samples: Option<usize>,
        /// Asymmetric ReLU outputs (zero point −128): one more bit of activation resolution.
        #[arg(long)]
        asymmetric: bool,
        /// Repository root holding data/ (default: found from the current directory).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Validate a model file and print its layers, MACs and commitment.
    Inspect {
        /// Model file.
        #[arg(long)]
        model: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

impl Args {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        match self.action {
            Action::Slice { out } => {
                let model = slice_model()?;
                std::fs::write(&out, model.to_canonical_json() + "\n")
                    .wrap_err_with(|| format!("cannot write {}", out.display()))?;
                println!("wrote {} (commitment {})", out.display(), model_commitment(&model));
            }
            Action::Random { shape, seed, out } => {
                eyre::ensure!(
                    shape.len() >= 2 && shape.iter().all(|&w| w > 0),
                    "--shape needs at least two positive widths, e.g. 784,56,10"
                );
                let name = format!("mlp-{}", shape.iter().map(ToString::to_string).collect::<Vec<_>>().join("-"));
                let model = random_mlp(&name, seed, shape[0], &shape[1..])?;
                std::fs::write(&out, model.to_canonical_json() + "\n")
                    .wrap_err_with(|| format!("cannot write {}", out.display()))?;
                println!("wrote {} (commitment {})", out.display(), model_commitment(&model));
            }
            Action::Import { onnx, out, name, root, json } => {
                quantize_cmd(&onnx, &out, name.as_deref(), root, QuantizeConfig::default(), None, json)?;
            }
            Action::Quantize { onnx, out, name, multiplier_bits, calibration_samples, asymmetric, root, json } => {
                let cfg = QuantizeConfig { multiplier_bits, asymmetric_relu: asymmetric, ..QuantizeConfig::default() };
                quantize_cmd(&onnx, &out, name.as_deref(), root, cfg, calibration_samples, json)?;
            }
            Action::Inspect { model, json } => {
                let m = load_model(&model)?;
                let layers: Vec<String> = m
                    .layers
                    .iter()
                    .map(|l| match l {
                        Layer::Dense(d) => format!(
                            "dense {}x{} requant m={} s={} {:?}",
                            d.in_features, d.out_features, d.requant.multiplier, d.requant.shift, d.activation
                        ),
                        Layer::Conv2d(c) => format!(
                            "conv2d {}->{} kernel {:?} stride {:?} padding {:?} requant m={} s={} {:?}",
                            c.in_channels,
                            c.out_channels,
                            c.kernel,
                            c.stride,
                            c.padding,
                            c.requant.multiplier,
                            c.requant.shift,
                            c.activation
                        ),
                        Layer::MaxPool(p) => format!("maxpool kernel {:?} stride {:?}", p.kernel, p.stride),
                        Layer::AvgPool(p) => format!("avgpool kernel {:?} stride {:?}", p.kernel, p.stride),
                        Layer::Flatten => "flatten".to_owned(),
                        Layer::Argmax => "argmax".to_owned(),
                    })
                    .collect();
                let input_words = mlproof_circuits::native::packing::words_for(m.input_len);
                let output_words = mlproof_circuits::statement::output_words_for(m.output_len());
                if json {
                    print_json(&serde_json::json!({
                        "name": m.name, "input_len": m.input_len, "output_len": m.output_len(),
                        "macs": m.macs(), "layers": layers, "public_inputs": public_input_count(&m, Visibility::Public),
                        "commitment": model_commitment(&m).to_string(),
                        "registry": { "input_words": input_words, "committed_input_words": 1, "output_words": output_words, "work_units": m.macs() },
                    }));
                } else {
                    println!("{}: {} inputs -> {} outputs, {} MACs", m.name, m.input_len, m.output_len(), m.macs());
                    for (i, l) in layers.iter().enumerate() {
                        println!("  layer {i}: {l}");
                    }
                    println!(
                        "  public inputs: {} (public weights), {} (private weights)",
                        public_input_count(&m, Visibility::Public),
                        public_input_count(&m, Visibility::Private)
                    );
                    println!("  commitment: {}", model_commitment(&m));
                    println!(
                        "  registry layout: inputWords {input_words} (public input) or 1 (committed input), outputWords {output_words} (the last carries the payee)"
                    );
                }
            }
        }
        Ok(())
    }
}

fn quantize_cmd(
    onnx: &std::path::Path,
    out: &std::path::Path,
    name: Option<&str>,
    root: Option<PathBuf>,
    cfg: QuantizeConfig,
    calibration_samples: Option<usize>,
    json: bool,
) -> Result<()> {
    let root = match root {
        Some(r) => r,
        None => mlproof_node::compile::find_root(&std::env::current_dir()?)
            .ok_or_else(|| eyre::eyre!("run inside the mlproof repository or pass --root"))?,
    };
    let pb = crate::common::spinner("importing, calibrating and evaluating", json);
    let (model, acc) = import_digits_with(onnx, &root, name, cfg, calibration_samples)
        .wrap_err_with(|| format!("cannot import {}", onnx.display()))?;
    pb.finish_and_clear();
    std::fs::write(out, model.to_canonical_json() + "\n")
        .wrap_err_with(|| format!("cannot write {}", out.display()))?;
    if json {
        print_json(&serde_json::json!({
            "model": model.name, "out": out, "float_accuracy": acc.float_accuracy,
            "quantized_accuracy": acc.quantized_accuracy, "samples": acc.samples,
            "multiplier_bits": cfg.multiplier_bits, "commitment": model_commitment(&model).to_string(),
        }));
    } else {
        println!(
            "imported {} -> {}: float accuracy {:.4}, quantized accuracy {:.4} on {} held-out samples",
            onnx.display(),
            out.display(),
            acc.float_accuracy,
            acc.quantized_accuracy,
            acc.samples
        );
    }
    Ok(())
}
