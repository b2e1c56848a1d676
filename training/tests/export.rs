//! The exported `.pth` reads back (through the model crate's torch-zip reader) with the same
//! names and values as the source weights. (`torch.load` accepting it was checked by hand
//! during development.)

use std::collections::BTreeMap;
use std::path::PathBuf;

use dictas_model::checkpoint::load_tensors;
use dictas_model::DictAs;
use dictas_train::export::export_reference;
use tch::{Device, Kind};

#[test]
fn exported_reference_checkpoint_round_trips() {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/parity-mvtec/dictas.pth");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exported.pth");
    export_reference(&source, &out).unwrap();

    let want: BTreeMap<_, _> = load_tensors(&source).unwrap().into_iter().collect();
    let got: BTreeMap<_, _> = load_tensors(&out).unwrap().into_iter().collect();
    assert_eq!(want.keys().collect::<Vec<_>>(), got.keys().collect::<Vec<_>>());
    for (name, w) in &want {
        let g = &got[name];
        assert_eq!(g.size(), w.size(), "{name}");
        assert!(g.equal(&w.to_kind(Kind::Float)), "{name} differs");
    }
    // And the model loads it strictly.
    let (vs, _) = DictAs::load(&out, Device::Cpu).unwrap();
    assert_eq!(vs.variables().len(), want.len());
}
