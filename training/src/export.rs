//! `dictas train export`: DictAS weights (our safetensors, or any file `DictAs::load` reads)
//! written in the reference's checkpoint layout, `torch.save({"Mymodel": state_dict})`: a zip
//! archive (entries stored uncompressed, data aligned to 64 bytes as PyTorch writes them)
//! holding `data.pkl`, one raw little-endian float32 file per tensor, `version` and
//! `byteorder`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dictas_model::checkpoint::load_tensors;
use tch::{Device, Kind, Tensor};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use crate::pickle_writer::{PickleWriter, TensorEntry};

/// Key of the state dict in the reference's checkpoint.
pub const REFERENCE_KEY: &str = "Mymodel";
/// Folder name inside the archive (PyTorch uses the file stem; any name loads).
const ARCHIVE_ROOT: &str = "archive";

/// Export DictAS weights to the reference's `.pth` layout.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// Weights to export (e.g. OUT/best.safetensors).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: PathBuf,
    /// Output `.pth` file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn run_export(args: &ExportArgs) -> Result<()> {
    export_reference(&args.checkpoint, &args.out)
}

/// Reads `checkpoint` and writes `out` as `{"Mymodel": state_dict}` in torch's zip format.
pub fn export_reference(checkpoint: &Path, out: &Path) -> Result<()> {
    let mut tensors = load_tensors(checkpoint)?;
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let entries: Vec<TensorEntry> = tensors
        .iter()
        .enumerate()
        .map(|(i, (name, t))| TensorEntry { name: name.clone(), storage_key: i.to_string(), shape: t.size() })
        .collect();
    dictas_atomic::write_with(out, |temp| write_archive(temp, &entries, &tensors))
}

/// The torch zip archive of `tensors` (described by `entries`) at `path`.
fn write_archive(path: &Path, entries: &[TensorEntry], tensors: &[(String, Tensor)]) -> Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let aligned = stored.with_alignment(64);
    zip.start_file(format!("{ARCHIVE_ROOT}/data.pkl"), stored)?;
    zip.write_all(&PickleWriter::state_dict_under(REFERENCE_KEY, entries))?;
    zip.start_file(format!("{ARCHIVE_ROOT}/byteorder"), stored)?;
    zip.write_all(b"little")?;
    for (entry, (name, tensor)) in entries.iter().zip(tensors) {
        let values = Vec::<f32>::try_from(tensor.to_kind(Kind::Float).to_device(Device::Cpu).contiguous().flatten(0, -1))
            .with_context(|| format!("reading tensor `{name}`"))?;
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        zip.start_file(format!("{ARCHIVE_ROOT}/data/{}", entry.storage_key), aligned)?;
        zip.write_all(&bytes)?;
    }
    zip.start_file(format!("{ARCHIVE_ROOT}/version"), stored)?;
    zip.write_all(b"3\n")?;
    zip.finish().with_context(|| format!("finishing {}", path.display()))?;
    Ok(())
}
