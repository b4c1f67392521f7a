//! ONNX graph → [`FloatModel`]. Supports a chain of Gemm, MatMul (+ Add bias), Relu and Flatten
//! on a flat input; every other operator is rejected with its name.

use std::collections::HashMap;

use prost::Message;

use super::proto::{ModelProto, NodeProto, TensorProto, DATA_TYPE_DOUBLE, DATA_TYPE_FLOAT};
use crate::{
    error::{ImportError, Result},
    float::{FloatLayer, FloatModel},
};

struct Tensor {
    dims: Vec<usize>,
    data: Vec<f32>,
}

fn tensor(t: &TensorProto) -> Result<Tensor> {
    let bad = |reason: String| ImportError::Tensor { name: t.name.clone(), reason };
    let dims: Vec<usize> = t
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| bad(format!("negative dimension {d}"))))
        .collect::<Result<_>>()?;
    let n: usize = dims.iter().product();
    let data: Vec<f32> = match t.data_type {
        DATA_TYPE_FLOAT if !t.raw_data.is_empty() => {
            if t.raw_data.len() != 4 * n {
                return Err(bad(format!("raw_data has {} bytes, expected {}", t.raw_data.len(), 4 * n)));
            }
            t.raw_data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
        }
        DATA_TYPE_FLOAT => t.float_data.clone(),
        // Narrowing f64 weights to f32 loses only precision far below int8 quantization steps.
        DATA_TYPE_DOUBLE => t.double_data.iter().map(|&v| v as f32).collect(),
        other => return Err(bad(format!("data type {other} is not FLOAT or DOUBLE"))),
    };
    if data.len() != n {
        return Err(bad(format!("has {} values, dims {dims:?} need {n}", data.len())));
    }
    if let Some(v) = data.iter().find(|v| !v.is_finite()) {
        return Err(bad(format!("contains the non-finite value {v}")));
    }
    Ok(Tensor { dims, data })
}

fn attr_i(node: &NodeProto, name: &str, default: i64) -> i64 {
    node.attribute.iter().find(|a| a.name == name).map_or(default, |a| a.i)
}

fn attr_f(node: &NodeProto, name: &str, default: f32) -> f32 {
    node.attribute.iter().find(|a| a.name == name).map_or(default, |a| a.f)
}

fn attr_ints(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    node.attribute.iter().find(|a| a.name == name).map(|a| a.ints.clone())
}

fn attr_s(node: &NodeProto, name: &str) -> String {
    node.attribute
        .iter()
        .find(|a| a.name == name)
        .map(|a| String::from_utf8_lossy(&a.s).into_owned())
        .unwrap_or_default()
}

/// `[h, w]` from a 2-element attribute (or `default`), rejecting anything else.
fn pair(node: &NodeProto, name: &str, default: usize) -> Result<[usize; 2]> {
    match attr_ints(node, name) {
        None => Ok([default, default]),
        Some(v) if v.len() == 2 && v.iter().all(|&x| x >= 0) => Ok([v[0] as usize, v[1] as usize]),
        Some(v) => Err(ImportError::Graph(format!(
            "node {:?} ({}): attribute {name} = {v:?} is not two non-negative values",
            node.name, node.op_type
        ))),
    }
}

/// Symmetric 2-D padding from ONNX `pads = [top, left, bottom, right]`.
fn pads(node: &NodeProto) -> Result<[usize; 2]> {
    let err = |why: String| ImportError::Graph(format!("node {:?} ({}): {why}", node.name, node.op_type));
    let auto = attr_s(node, "auto_pad");
    if !auto.is_empty() && auto != "NOTSET" {
        return Err(err(format!("auto_pad = {auto} is not supported; give explicit pads")));
    }
    match attr_ints(node, "pads") {
        None => Ok([0, 0]),
        Some(p) if p.len() == 4 && p[0] == p[2] && p[1] == p[3] && p.iter().all(|&x| x >= 0) => {
            Ok([p[0] as usize, p[1] as usize])
        }
        Some(p) => Err(err(format!("pads {p:?} must be symmetric [t, l, t, l]"))),
    }
}

fn input_shape(v: &super::proto::ValueInfoProto) -> Option<Vec<usize>> {
    let dims = &v.r#type.as_ref()?.tensor_type.as_ref()?.shape.as_ref()?.dim;
    let mut shape: Vec<usize> =
        dims.iter().map(|d| usize::try_from(d.dim_value).ok().filter(|&x| x > 0)).collect::<Option<_>>()?;
    if shape.len() >= 2 {
        shape.remove(0); // the batch dimension
    }
    Some(shape)
}

/// Reads an ONNX file.
pub fn from_file(path: &std::path::Path) -> Result<FloatModel> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::io(path, e))?;
    from_bytes(&bytes)
}

/// Decodes ONNX protobuf bytes.
pub fn from_bytes(bytes: &[u8]) -> Result<FloatModel> {
    let model = ModelProto::decode(bytes)?;
    let graph = model.graph.ok_or_else(|| ImportError::Graph("the model has no graph".into()))?;
    let mut inits = HashMap::new();
    for t in &graph.initializer {
        inits.insert(t.name.clone(), tensor(t)?);
    }
    let input = graph
        .input
        .iter()
        .find(|v| !inits.contains_key(&v.name))
        .ok_or_else(|| ImportError::Graph("the graph has no non-constant input".into()))?;
    let mut current = input.name.clone();
    let mut layers: Vec<FloatLayer> = Vec::new();
    let mut input_len = None;
    let declared_shape = input_shape(input);
    let mut shape: Option<Vec<usize>> = declared_shape.clone();
    let graph_err =
        |node: &NodeProto, why: &str| ImportError::Graph(format!("node {:?} ({}): {why}", node.name, node.op_type));

    for node in &graph.node {
        if !node.domain.is_empty() && node.domain != "ai.onnx" {
            return Err(ImportError::UnsupportedOp {
                op_type: format!("{}::{}", node.domain, node.op_type),
                node: node.name.clone(),
            });
        }
        let first = node.input.first().ok_or_else(|| graph_err(node, "has no inputs"))?;
        let out = node.output.first().ok_or_else(|| graph_err(node, "has no outputs"))?.clone();
        match node.op_type.as_str() {
            "Gemm" | "MatMul" => {
                if *first != current {
                    return Err(graph_err(node, "only a chain of layers on one input is supported"));
                }
                let w = node
                    .input
                    .get(1)
                    .and_then(|n| inits.get(n))
                    .ok_or_else(|| graph_err(node, "weight must be an initializer"))?;
                if w.dims.len() != 2 {
                    return Err(graph_err(node, "weight must be 2-D"));
                }
                let gemm = node.op_type == "Gemm";
                if gemm && attr_i(node, "transA", 0) != 0 {
                    return Err(graph_err(node, "transA = 1 is not supported"));
                }
                let trans_b = gemm && attr_i(node, "transB", 0) != 0;
                let alpha = if gemm { attr_f(node, "alpha", 1.0) } else { 1.0 };
                let beta = if gemm { attr_f(node, "beta", 1.0) } else { 1.0 };
                let (out_f, in_f) = if trans_b { (w.dims[0], w.dims[1]) } else { (w.dims[1], w.dims[0]) };
                let weights: Vec<f32> = (0..out_f)
                    .flat_map(|o| (0..in_f).map(move |i| (o, i)))
                    .map(|(o, i)| alpha * if trans_b { w.data[o * in_f + i] } else { w.data[i * out_f + o] })
                    .collect();
                let mut bias = vec![0.0; out_f];
                if let Some(c) = node.input.get(2).filter(|n| !n.is_empty()) {
                    let c = inits.get(c).ok_or_else(|| graph_err(node, "bias must be an initializer"))?;
                    if c.data.len() != out_f {
                        return Err(graph_err(node, &format!("bias has {} values, expected {out_f}", c.data.len())));
                    }
                    bias = c.data.iter().map(|v| beta * v).collect();
                }
                if let Some(s) = &shape {
                    let len: usize = s.iter().product();
                    if len != in_f {
                        return Err(graph_err(
                            node,
                            &format!("input width {in_f} does not match the incoming tensor's {len}"),
                        ));
                    }
                }
                input_len.get_or_insert(in_f);
                shape = Some(vec![out_f]);
                layers.push(FloatLayer::Dense { in_features: in_f, out_features: out_f, weights, bias, relu: false });
            }
            "Add" => {
                let other = node
                    .input
                    .iter()
                    .find(|n| **n != current)
                    .ok_or_else(|| graph_err(node, "must add a constant to the running tensor"))?;
                let c = inits.get(other).ok_or_else(|| graph_err(node, "the added tensor must be an initializer"))?;
                match layers.last_mut() {
                    Some(FloatLayer::Dense { bias, relu: false, .. })
                        if node.input.contains(&current) && c.data.len() == bias.len() =>
                    {
                        bias.iter_mut().zip(&c.data).for_each(|(b, v)| *b += v);
                    }
                    _ => return Err(graph_err(node, "Add is supported only as the bias of a preceding MatMul/Gemm")),
                }
            }
            "Relu" => match layers.last_mut() {
                Some(FloatLayer::Dense { relu, .. } | FloatLayer::Conv2d { relu, .. })
                    if !*relu && *first == current =>
                {
                    *relu = true
                }
                _ => return Err(graph_err(node, "Relu must follow a dense or convolution layer")),
            },
            "Flatten" => {
                if *first != current {
                    return Err(graph_err(node, "only a chain of layers on one input is supported"));
                }
                if attr_i(node, "axis", 1) != 1 {
                    return Err(graph_err(node, "only axis = 1 (keep the batch dimension) is supported"));
                }
                let s = shape.as_ref().ok_or_else(|| graph_err(node, "the input shape is unknown"))?;
                shape = Some(vec![s.iter().product()]);
                layers.push(FloatLayer::Flatten);
            }
            "Conv" => {
                if *first != current {
                    return Err(graph_err(node, "only a chain of layers on one input is supported"));
                }
                let w = node
                    .input
                    .get(1)
                    .and_then(|n| inits.get(n))
                    .ok_or_else(|| graph_err(node, "weight must be an initializer"))?;
                if w.dims.len() != 4 {
                    return Err(graph_err(node, "only 2-D convolutions (4-D weights) are supported"));
                }
                if attr_i(node, "group", 1) != 1 {
                    return Err(graph_err(node, "grouped convolutions are not supported"));
                }
                if attr_ints(node, "dilations").is_some_and(|d| d.iter().any(|&x| x != 1)) {
                    return Err(graph_err(node, "dilations other than 1 are not supported"));
                }
                let (out_c, in_c, kh, kw) = (w.dims[0], w.dims[1], w.dims[2], w.dims[3]);
                let Some(&[c, h, wd]) = shape.as_deref() else {
                    return Err(graph_err(
                        node,
                        "Conv needs a known [C, H, W] input (declare the graph input's shape)",
                    ));
                };
                if c != in_c {
                    return Err(graph_err(node, &format!("weight has {in_c} input channels, the tensor has {c}")));
                }
                let stride = pair(node, "strides", 1)?;
                let padding = pads(node)?;
                if stride.contains(&0) || h + 2 * padding[0] < kh || wd + 2 * padding[1] < kw {
                    return Err(graph_err(node, "kernel, stride or padding do not fit the input"));
                }
                let bias = match node.input.get(2).filter(|n| !n.is_empty()) {
                    Some(b) => inits.get(b).ok_or_else(|| graph_err(node, "bias must be an initializer"))?.data.clone(),
                    None => vec![0.0; out_c],
                };
                if bias.len() != out_c {
                    return Err(graph_err(node, "bias length differs from the output channels"));
                }
                shape = Some(vec![
                    out_c,
                    (h + 2 * padding[0] - kh) / stride[0] + 1,
                    (wd + 2 * padding[1] - kw) / stride[1] + 1,
                ]);
                layers.push(FloatLayer::Conv2d {
                    in_channels: in_c,
                    out_channels: out_c,
                    kernel: [kh, kw],
                    stride,
                    padding,
                    weights: w.data.clone(),
                    bias,
                    relu: false,
                });
            }
            "MaxPool" | "AveragePool" => {
                if *first != current {
                    return Err(graph_err(node, "only a chain of layers on one input is supported"));
                }
                if pads(node)? != [0, 0] || attr_i(node, "ceil_mode", 0) != 0 {
                    return Err(graph_err(node, "padding and ceil_mode are not supported in pooling"));
                }
                if attr_ints(node, "dilations").is_some_and(|d| d.iter().any(|&x| x != 1)) || node.output.len() > 1 {
                    return Err(graph_err(node, "dilations and the indices output are not supported"));
                }
                let kernel = pair(node, "kernel_shape", 0)?;
                let stride = pair(node, "strides", 1)?;
                let Some(&[c, h, w]) = shape.as_deref() else {
                    return Err(graph_err(node, "pooling needs a known [C, H, W] input"));
                };
                if kernel.contains(&0) || stride.contains(&0) || kernel[0] > h || kernel[1] > w {
                    return Err(graph_err(node, "kernel or stride do not fit the input"));
                }
                shape = Some(vec![c, (h - kernel[0]) / stride[0] + 1, (w - kernel[1]) / stride[1] + 1]);
                layers.push(if node.op_type == "MaxPool" {
                    FloatLayer::MaxPool { kernel, stride }
                } else {
                    FloatLayer::AvgPool { kernel, stride }
                });
            }
            other => return Err(ImportError::UnsupportedOp { op_type: other.to_owned(), node: node.name.clone() }),
        }
        current = out;
    }
    let output = graph.output.first().ok_or_else(|| ImportError::Graph("the graph has no output".into()))?;
    if output.name != current {
        return Err(ImportError::Graph(format!(
            "graph output {:?} is not the end of the layer chain ({current:?})",
            output.name
        )));
    }
    let input_shape = match declared_shape {
        Some(s) => s,
        None => vec![input_len
            .ok_or_else(|| ImportError::Graph("the graph input has no shape and no Gemm/MatMul fixes it".into()))?],
    };
    let input_len = input_shape.iter().product();
    let name = if graph.name.is_empty() { "imported".to_owned() } else { graph.name.replace('_', "-") };
    Ok(FloatModel { name, input_len, input_shape, layers })
}
