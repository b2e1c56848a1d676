//! Tensors of a `torch.save` zip archive: `<prefix>/data.pkl` plus raw little-endian storages
//! under `<prefix>/data/<key>`.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use tch::{Kind, Tensor};

use super::pickle::{self, TensorRef, Value};

/// Reads every tensor of a `torch.save` archive. A flat state dict gives its own keys; a dict
/// whose only dict-valued entry holds the tensors (the reference's `{"Mymodel": state_dict}`)
/// gives the inner keys.
pub fn load(path: &Path) -> Result<Vec<(String, Tensor)>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut archive = zip::ZipArchive::new(file)
        .with_context(|| format!("{} is not a zip archive", path.display()))?;
    let pkl_name = archive
        .file_names()
        .find(|n| n.ends_with("data.pkl") && n.matches('/').count() <= 1)
        .map(str::to_owned)
        .with_context(|| format!("{} has no data.pkl", path.display()))?;
    let prefix = pkl_name.trim_end_matches("data.pkl").to_owned();
    check_little_endian(&mut archive, &prefix, path)?;

    let pkl = read_entry(&mut archive, &pkl_name)?;
    let root = pickle::parse(&pkl).with_context(|| format!("decoding {pkl_name} in {}", path.display()))?;
    let entries = state_dict_entries(root).with_context(|| format!("in {}", path.display()))?;

    let mut storages: HashMap<String, Vec<u8>> = HashMap::new();
    let mut out = Vec::with_capacity(entries.len());
    for (name, tref) in entries {
        if !storages.contains_key(&tref.storage_key) {
            let entry = format!("{prefix}data/{}", tref.storage_key);
            let bytes = read_entry(&mut archive, &entry).with_context(|| format!("in {}", path.display()))?;
            storages.insert(tref.storage_key.clone(), bytes);
        }
        let tensor = materialize(&tref, &storages[&tref.storage_key])
            .with_context(|| format!("tensor `{name}` in {}", path.display()))?;
        out.push((name, tensor));
    }
    Ok(out)
}

fn read_entry(archive: &mut zip::ZipArchive<File>, name: &str) -> Result<Vec<u8>> {
    let mut entry = archive.by_name(name).with_context(|| format!("archive entry {name} is missing"))?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut bytes).with_context(|| format!("reading archive entry {name}"))?;
    Ok(bytes)
}

fn check_little_endian(archive: &mut zip::ZipArchive<File>, prefix: &str, path: &Path) -> Result<()> {
    let name = format!("{prefix}byteorder");
    if archive.file_names().any(|n| n == name) {
        let order = read_entry(archive, &name)?;
        ensure!(order == b"little", "{} stores big-endian tensors, which are not supported", path.display());
    }
    Ok(())
}

/// Picks the tensors out of the unpickled root object (see [`load`]).
fn state_dict_entries(root: Value) -> Result<Vec<(String, TensorRef)>> {
    let Value::Dict(top) = root else { bail!("the pickled object is not a dict") };
    let direct = tensors_of(&top);
    if !direct.is_empty() {
        return Ok(direct);
    }
    let nested: Vec<_> = top
        .iter()
        .filter_map(|(k, v)| match v {
            Value::Dict(inner) if !tensors_of(inner).is_empty() => Some((k, inner)),
            _ => None,
        })
        .collect();
    match nested.as_slice() {
        [(_, inner)] => Ok(tensors_of(inner)),
        [] => bail!("no tensors found (top-level keys: {})", key_list(&top)),
        _ => bail!("several nested state dicts, cannot pick one (top-level keys: {})", key_list(&top)),
    }
}

fn tensors_of(dict: &[(Value, Value)]) -> Vec<(String, TensorRef)> {
    dict.iter()
        .filter_map(|(k, v)| match (k, v) {
            (Value::Str(name), Value::Tensor(t)) => Some((name.clone(), t.clone())),
            _ => None,
        })
        .collect()
}

fn key_list(dict: &[(Value, Value)]) -> String {
    let keys: Vec<String> = dict
        .iter()
        .map(|(k, _)| match k {
            Value::Str(s) => s.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    keys.join(", ")
}

fn storage_kind(storage_type: &str) -> Result<Kind> {
    Ok(match storage_type {
        "HalfStorage" => Kind::Half,
        "FloatStorage" => Kind::Float,
        "DoubleStorage" => Kind::Double,
        "BFloat16Storage" => Kind::BFloat16,
        "LongStorage" => Kind::Int64,
        "IntStorage" => Kind::Int,
        "ShortStorage" => Kind::Int16,
        "CharStorage" => Kind::Int8,
        "ByteStorage" => Kind::Uint8,
        "BoolStorage" => Kind::Bool,
        other => bail!("unsupported storage type {other}"),
    })
}

/// Builds a contiguous tensor from a storage's bytes and the pickled view (offset, size, stride).
fn materialize(tref: &TensorRef, storage: &[u8]) -> Result<Tensor> {
    let kind = storage_kind(&tref.storage_type)?;
    let elt = kind.elt_size_in_bytes();
    ensure!(storage.len() % elt == 0, "storage of {} bytes is not a whole number of {:?}", storage.len(), kind);
    let numel = (storage.len() / elt) as i64;
    ensure!(tref.size.len() == tref.stride.len(), "size {:?} and stride {:?} differ in rank", tref.size, tref.stride);
    // The last element the view touches must lie inside the storage.
    let last = tref.offset
        + tref.size.iter().zip(&tref.stride).map(|(s, st)| (s - 1).max(0) * st).sum::<i64>();
    let empty = tref.size.contains(&0);
    ensure!(empty || (tref.offset >= 0 && last < numel), "view {:?} runs past a storage of {numel} elements", tref);
    let flat = Tensor::f_from_data_size(storage, &[numel], kind)?;
    Ok(flat.f_as_strided(tref.size.as_slice(), tref.stride.as_slice(), tref.offset)?.f_contiguous()?)
}
