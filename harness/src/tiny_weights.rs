//! Small random-initialized CLIP and DictAS weights made by the project itself, so the whole
//! pipeline runs with no downloads. Their numbers mean nothing about anomalies: they only
//! exercise the code paths the real OpenAI/DictAS weights take (same tensor names, same files).

use anyhow::Result;
use std::path::Path;
use tch::{Device, Kind, Tensor};

/// Shape of a tiny CLIP in OpenAI's layout.
#[derive(Debug, Clone, Copy)]
pub struct TinyClip {
    pub vision_width: i64,
    pub vision_layers: i64,
    pub patch: i64,
    pub image_size: i64,
    pub text_width: i64,
    pub text_layers: i64,
    pub embed_dim: i64,
}

impl Default for TinyClip {
    /// 12 vision blocks so the reference layer choices 6 and 12 exist; 64 channels keep a CPU
    /// run of the demo to seconds per class.
    fn default() -> Self {
        Self { vision_width: 64, vision_layers: 12, patch: 16, image_size: 224, text_width: 64, text_layers: 2, embed_dim: 64 }
    }
}

const VOCAB: i64 = 49408;
const CONTEXT: i64 = 77;

fn normal(shape: &[i64], std: f64) -> Tensor {
    Tensor::randn(shape, (Kind::Float, Device::Cpu)) * std
}

fn blocks(prefix: &str, width: i64, layers: i64, out: &mut Vec<(String, Tensor)>) {
    for i in 0..layers {
        let p = format!("{prefix}.resblocks.{i}");
        let mut put = |name: &str, t: Tensor| out.push((format!("{p}.{name}"), t));
        put("attn.in_proj_weight", normal(&[3 * width, width], 0.02));
        put("attn.in_proj_bias", Tensor::zeros([3 * width], (Kind::Float, Device::Cpu)));
        put("attn.out_proj.weight", normal(&[width, width], 0.02));
        put("attn.out_proj.bias", Tensor::zeros([width], (Kind::Float, Device::Cpu)));
        put("ln_1.weight", Tensor::ones([width], (Kind::Float, Device::Cpu)));
        put("ln_1.bias", Tensor::zeros([width], (Kind::Float, Device::Cpu)));
        put("mlp.c_fc.weight", normal(&[4 * width, width], 0.02));
        put("mlp.c_fc.bias", Tensor::zeros([4 * width], (Kind::Float, Device::Cpu)));
        put("mlp.c_proj.weight", normal(&[width, 4 * width], 0.02));
        put("mlp.c_proj.bias", Tensor::zeros([width], (Kind::Float, Device::Cpu)));
        put("ln_2.weight", Tensor::ones([width], (Kind::Float, Device::Cpu)));
        put("ln_2.bias", Tensor::zeros([width], (Kind::Float, Device::Cpu)));
    }
}

/// All tensors of a random CLIP with OpenAI's names and shapes.
pub fn clip_tensors(c: &TinyClip, seed: i64) -> Vec<(String, Tensor)> {
    tch::manual_seed(seed);
    let grid = c.image_size / c.patch;
    let (w, tw) = (c.vision_width, c.text_width);
    let ones = |n: i64| Tensor::ones([n], (Kind::Float, Device::Cpu));
    let zeros = |n: i64| Tensor::zeros([n], (Kind::Float, Device::Cpu));
    let mut t: Vec<(String, Tensor)> = vec![
        ("visual.class_embedding".into(), normal(&[w], (w as f64).powf(-0.5))),
        ("visual.positional_embedding".into(), normal(&[grid * grid + 1, w], (w as f64).powf(-0.5))),
        ("visual.conv1.weight".into(), normal(&[w, 3, c.patch, c.patch], 0.02)),
        ("visual.ln_pre.weight".into(), ones(w)),
        ("visual.ln_pre.bias".into(), zeros(w)),
        ("visual.ln_post.weight".into(), ones(w)),
        ("visual.ln_post.bias".into(), zeros(w)),
        ("visual.proj".into(), normal(&[w, c.embed_dim], (w as f64).powf(-0.5))),
        ("token_embedding.weight".into(), normal(&[VOCAB, tw], 0.02)),
        ("positional_embedding".into(), normal(&[CONTEXT, tw], 0.01)),
        ("ln_final.weight".into(), ones(tw)),
        ("ln_final.bias".into(), zeros(tw)),
        ("text_projection".into(), normal(&[tw, c.embed_dim], (tw as f64).powf(-0.5))),
        ("logit_scale".into(), Tensor::from((1.0f64 / 0.07).ln() as f32)),
    ];
    blocks("visual.transformer", w, c.vision_layers, &mut t);
    blocks("transformer", tw, c.text_layers, &mut t);
    t
}

/// Writes a random CLIP as safetensors.
pub fn write_clip(path: &Path, c: &TinyClip, seed: i64) -> Result<()> {
    let tensors = clip_tensors(c, seed);
    write_safetensors_atomically(path, &tensors)
}

/// Writes randomly initialized DictAS weights (the reference's initialization) for `width`.
pub fn write_dictas(path: &Path, width: i64, embed_dim: i64, seed: i64) -> Result<()> {
    tch::manual_seed(seed);
    let vs = tch::nn::VarStore::new(Device::Cpu);
    let _module = dictas_model::dictas::DictAs::new(&vs.root(), width, embed_dim);
    let tensors: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    write_safetensors_atomically(path, &tensors)
}

fn write_safetensors_atomically(path: &Path, tensors: &[(String, Tensor)]) -> Result<()> {
    dictas_atomic::write_with(path, |temp| Ok(Tensor::write_safetensors(tensors, temp)?))
}
