//! Checkpoint reading: the formats agree, and bad inputs give errors that say what is wrong.

mod common;

use std::collections::HashMap;

use dictas_model::checkpoint::{detect_format, load_tensors, Format};
use dictas_model::{Activation, ClipModel, DictAs};
use tch::{nn, Device, Kind, Tensor};

fn error_text<T>(r: anyhow::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn torchscript_and_torch_save_hold_the_same_tensors() {
    let fixture = common::parity_fixture();
    let jit = fixture.join("clip-jit.pt");
    let state = fixture.join("clip-state.pt");
    assert_eq!(detect_format(&jit).unwrap(), Format::TorchScript);
    assert_eq!(detect_format(&state).unwrap(), Format::TorchSave);
    let a: HashMap<String, Tensor> = load_tensors(&jit).unwrap().into_iter().collect();
    let b: HashMap<String, Tensor> = load_tensors(&state).unwrap().into_iter().collect();
    assert_eq!(a.len(), 350);
    assert_eq!(a.len(), b.len());
    for (name, t) in &a {
        let u = &b[name];
        assert_eq!(t.kind(), u.kind(), "{name}");
        assert_eq!(t, u, "{name}");
    }
    assert_eq!(a["visual.conv1.weight"].kind(), Kind::Half);
    assert_eq!(a["visual.ln_pre.weight"].kind(), Kind::Float);
}

#[test]
fn nested_state_dict_is_unwrapped() {
    let path = common::parity_fixture().join("dictas.pth");
    let tensors = load_tensors(&path).unwrap();
    assert_eq!(tensors.len(), 42);
    assert_eq!(tensors[0].0, "Query_Generator.q_proj.weight");
    assert_eq!(tensors[0].1.size(), vec![128, 128]);
}

#[test]
fn dictas_weights_round_trip_through_safetensors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dictas.safetensors");
    let (vs, _) = DictAs::load(&common::parity_fixture().join("dictas.pth"), Device::Cpu).unwrap();
    DictAs::save_safetensors(&vs, &out).unwrap();
    assert_eq!(detect_format(&out).unwrap(), Format::Safetensors);
    let (vs2, _) = DictAs::load(&out, Device::Cpu).unwrap();
    let (a, b) = (vs.variables(), vs2.variables());
    assert_eq!(a.len(), b.len());
    for (name, t) in &a {
        assert_eq!(t, &b[name], "{name}");
    }
}

/// Saves a fresh DictAS store after `edit` changed its named tensors.
fn edited_checkpoint(dir: &std::path::Path, edit: impl FnOnce(&mut HashMap<String, Tensor>)) -> std::path::PathBuf {
    let vs = nn::VarStore::new(Device::Cpu);
    let _module = DictAs::new(&vs.root(), 32, 16);
    let mut tensors: HashMap<String, Tensor> =
        vs.variables().into_iter().map(|(k, v)| (k, v.detach().copy())).collect();
    edit(&mut tensors);
    let path = dir.join("edited.safetensors");
    let named: Vec<(String, Tensor)> = tensors.into_iter().collect();
    Tensor::write_safetensors(&named, &path).unwrap();
    path
}

#[test]
fn missing_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_checkpoint(dir.path(), |t| {
        t.remove("Key_Generator.norm1.bias");
    });
    let err = error_text(DictAs::load(&path, Device::Cpu));
    assert!(err.contains("missing key `Key_Generator.norm1.bias`"), "{err}");
    assert!(err.contains("edited.safetensors"), "{err}");
}

#[test]
fn shape_mismatch_names_key_and_both_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_checkpoint(dir.path(), |t| {
        t.insert("Fuse_Feature.compress.weight".into(), Tensor::zeros([2, 16], (Kind::Float, Device::Cpu)));
    });
    let err = error_text(DictAs::load(&path, Device::Cpu));
    assert!(err.contains("Fuse_Feature.compress.weight"), "{err}");
    assert!(err.contains("[2, 16]") && err.contains("[1, 16]"), "{err}");
}

#[test]
fn unexpected_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_checkpoint(dir.path(), |t| {
        t.insert("Query_Generator.extra.weight".into(), Tensor::zeros([3], (Kind::Float, Device::Cpu)));
    });
    let err = error_text(DictAs::load(&path, Device::Cpu));
    assert!(err.contains("unexpected key(s): Query_Generator.extra.weight"), "{err}");
}

#[test]
fn non_checkpoint_file_is_rejected_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "just some text, long enough to look at").unwrap();
    let err = error_text(load_tensors(&path));
    assert!(err.contains("notes.txt") && err.contains("not a checkpoint"), "{err}");

    let missing = dir.path().join("absent.pt");
    let err = error_text(load_tensors(&missing));
    assert!(err.contains("absent.pt"), "{err}");
}

#[test]
fn image_size_must_be_a_multiple_of_the_patch() {
    let path = common::parity_fixture().join("clip-state.pt");
    let err = error_text(ClipModel::load(&path, 230, Activation::Gelu, Device::Cpu));
    assert!(err.contains("230") && err.contains("patch size 16"), "{err}");
}

#[test]
fn positional_embedding_is_resized_for_another_image_size() {
    let path = common::parity_fixture().join("clip-state.pt");
    let clip = ClipModel::load(&path, 160, Activation::Gelu, Device::Cpu).unwrap();
    assert_eq!(clip.grid(), 10);
    let images = Tensor::zeros([1, 3, 160, 160], (Kind::Float, Device::Cpu));
    let (global, layers) = clip.encode_image(&images, &[12, 6]);
    assert_eq!(global.size(), vec![1, 64]);
    assert_eq!(layers[0].size(), vec![1, 100, 128]);
    let err = error_text(clip.f_encode_image(&images, &[25]));
    assert!(err.contains("layer 25") && err.contains("1..=24"), "{err}");
}
