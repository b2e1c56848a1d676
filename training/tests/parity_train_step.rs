//! One training step against the reference (fixture `train-step`): the five losses, the
//! per-module gradient norms and the losses after one Adam step, for the early phase (gV
//! trained) and the late phase (gV frozen, query tokens routed through it).

use std::path::{Path, PathBuf};

use dictas_model::preprocess::{load_image, load_mask};
use dictas_model::prompts::class_text_features;
use dictas_model::{Activation, ClipModel, DictAs};
use dictas_train::adam::{Adam, AdamConfig};
use dictas_train::losses::{training_losses, LossInputs, LossSettings, LossValues};
use dictas_train::meta::read_phase;
use dictas_train::params::{freeze_value_generator, gradient_norms};
use serde_json::Value;
use tch::{Device, Kind, Tensor};

const SIZE: i64 = 224;
const LAYERS: [i64; 4] = [6, 12, 18, 24];

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
}

struct Batch {
    query_layers: Vec<Tensor>,
    support_layers: Vec<Tensor>,
    masks: Tensor,
    labels: Tensor,
    text: Tensor,
}

fn batch(expected: &Value) -> Batch {
    let parity = fixtures().join("parity-mvtec");
    let root = parity.join("data");
    let clip = ClipModel::load(&parity.join("clip-jit.pt"), SIZE, Activation::Gelu, Device::Cpu).unwrap();
    let paths = |key: &str| -> Vec<String> {
        expected[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
    };
    let (queries, supports) = (paths("queries"), paths("supports"));
    let entries: Vec<_> = read_phase(&root, "mvtec", "test").unwrap().into_iter().flat_map(|(_, e)| e).collect();
    let encode = |files: &[String]| {
        let images: Vec<Tensor> = files.iter().map(|f| load_image(&root.join(f), SIZE as u32).unwrap()).collect();
        clip.encode_image(&Tensor::stack(&images, 0), &LAYERS).1
    };
    let mut masks = Vec::new();
    let mut labels = Vec::new();
    let mut texts = Vec::new();
    for q in &queries {
        let entry = entries.iter().find(|e| &e.img_path == q).expect("query in the meta file");
        let mask = load_mask(entry.mask(&root).as_deref(), SIZE as u32).unwrap();
        masks.push(Tensor::from_slice(&mask).to_kind(Kind::Float).view([SIZE, SIZE]));
        labels.push(i64::from(entry.anomaly));
        texts.push(class_text_features(&clip, &entry.cls_name).unwrap());
    }
    Batch {
        query_layers: encode(&queries),
        support_layers: encode(&supports),
        masks: Tensor::stack(&masks, 0),
        labels: Tensor::from_slice(&labels),
        text: Tensor::stack(&texts, 0),
    }
}

fn assert_close(what: &str, got: f64, want: f64, rel: f64) {
    let err = (got - want).abs() / want.abs().max(1e-12);
    assert!(err <= rel, "{what}: got {got}, expected {want} (relative error {err:.2e} > {rel:.0e})");
}

fn assert_losses(phase: &str, got: LossValues, want: &Value) {
    for (name, value) in [
        ("loss", got.total),
        ("loss_query", got.query),
        ("loss_cqc", got.cqc),
        ("loss_tac_query", got.tac_query),
        ("loss_tac_retrieved", got.tac_retrieved),
    ] {
        assert_close(&format!("{phase} {name}"), value, want[name].as_f64().unwrap(), 1e-4);
    }
}

fn run_phase(batch: &Batch, late: bool, want: &Value) {
    let phase = if late { "late" } else { "early" };
    let (vs, model) = DictAs::load(&fixtures().join("parity-mvtec/dictas.pth"), Device::Cpu).unwrap();
    if late {
        freeze_value_generator(&vs);
    }
    let settings = LossSettings { scales: vec![1, 3], lambda1: 0.1, lambda2: 0.1 };
    let inputs = LossInputs {
        query_layers: &batch.query_layers,
        support_layers: &batch.support_layers,
        query_masks: &batch.masks,
        labels: &batch.labels,
        text: &batch.text,
        route_query_through_value_generator: late,
    };
    let losses = training_losses(&model, &inputs, &settings).unwrap();
    assert_losses(phase, losses.values(), &want["before_step"]);

    Adam::zero_grad(&vs);
    losses.total.backward();
    let norms = gradient_norms(&vs);
    for (module, norm) in &norms {
        match (&want["before_step"]["grad_norm"][*module], norm) {
            (Value::Null, None) => {}
            (Value::Number(n), Some(got)) => assert_close(&format!("{phase} |grad {module}|"), *got, n.as_f64().unwrap(), 1e-3),
            (w, g) => panic!("{phase} {module}: expected gradient norm {w}, got {g:?}"),
        }
    }

    let mut adam = Adam::new(AdamConfig::published());
    adam.step(&vs);
    let after = tch::no_grad(|| training_losses(&model, &inputs, &settings).unwrap().values());
    assert_losses(phase, after, &want["after_one_adam_step"]);
}

#[test]
fn one_training_step_matches_the_reference_in_both_phases() {
    let path: &Path = &fixtures().join("train-step/expected.json");
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let batch = batch(&expected);
    run_phase(&batch, false, &expected["early_phase_value_generator_trained"]);
    run_phase(&batch, true, &expected["late_phase_value_generator_frozen"]);
}
