//! Reading named tensors from the checkpoint formats the project meets: OpenAI's TorchScript
//! archives, plain `torch.save` pickles (flat or wrapped in one dict key, as the reference's
//! `{"Mymodel": state_dict}`), and safetensors.

mod pickle;
mod torch_zip;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use tch::Tensor;

/// The container format of a checkpoint file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    TorchScript,
    TorchSave,
    Safetensors,
}

/// Loads every named tensor of a checkpoint, on the CPU, in the stored dtype.
pub fn load_tensors(path: &Path) -> Result<Vec<(String, Tensor)>> {
    match detect_format(path)? {
        Format::TorchScript => load_torchscript(path),
        Format::TorchSave => torch_zip::load(path),
        Format::Safetensors => Tensor::read_safetensors(path)
            .with_context(|| format!("reading safetensors file {}", path.display())),
    }
}

/// Recognises the format from the file's content, not its name.
pub fn detect_format(path: &Path) -> Result<Format> {
    let mut head = [0u8; 9];
    let mut file = File::open(path).with_context(|| format!("opening checkpoint {}", path.display()))?;
    let len = file.metadata()?.len();
    let got = read_up_to(&mut file, &mut head)?;
    let head = &head[..got];
    if head.starts_with(b"PK\x03\x04") {
        return zip_format(path);
    }
    if got == 9 && head[8] == b'{' {
        let header_len = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
        if header_len <= len.saturating_sub(8) {
            return Ok(Format::Safetensors);
        }
    }
    if head.first() == Some(&0x80) {
        bail!(
            "{} is a legacy (non-zip) torch.save pickle, which is not supported; \
             re-save it with a current torch.save",
            path.display()
        );
    }
    bail!(
        "{} is not a checkpoint: expected a TorchScript archive, a torch.save zip or a safetensors file",
        path.display()
    )
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// TorchScript archives carry compiled code (`code/`, `constants.pkl`); `torch.save` zips only a
/// `data.pkl` and storages.
fn zip_format(path: &Path) -> Result<Format> {
    let file = File::open(path).with_context(|| format!("opening checkpoint {}", path.display()))?;
    let archive = zip::ZipArchive::new(file).with_context(|| format!("{} is a damaged zip archive", path.display()))?;
    let names: Vec<&str> = archive.file_names().collect();
    if names.iter().any(|n| n.ends_with("/constants.pkl") || n.contains("/code/")) {
        Ok(Format::TorchScript)
    } else if names.iter().any(|n| n.ends_with("data.pkl")) {
        Ok(Format::TorchSave)
    } else {
        bail!("{} is a zip archive but neither a TorchScript archive nor a torch.save file", path.display())
    }
}

fn load_torchscript(path: &Path) -> Result<Vec<(String, Tensor)>> {
    let module = tch::CModule::load_on_device(path, tch::Device::Cpu)
        .with_context(|| format!("loading TorchScript archive {}", path.display()))?;
    module
        .named_parameters()
        .with_context(|| format!("reading parameters of TorchScript archive {}", path.display()))
}
