//! Choosing the compute device from a command-line style string.

use anyhow::{bail, Context, Result};
use tch::Device;

/// Parses `auto` (CUDA device 0 when available, else CPU), `cpu`, `cuda` or `cuda:N`.
/// Asking for a CUDA device that is not present is an error rather than a silent CPU fallback.
pub fn parse_device(s: &str) -> Result<Device> {
    let spec = s.trim().to_ascii_lowercase();
    match spec.as_str() {
        "auto" => Ok(Device::cuda_if_available()),
        "cpu" => Ok(Device::Cpu),
        "cuda" => cuda(0, s),
        _ => match spec.strip_prefix("cuda:") {
            Some(index) => {
                let index: usize = index
                    .parse()
                    .with_context(|| format!("device `{s}`: `{index}` is not a CUDA device index"))?;
                cuda(index, s)
            }
            None => bail!("unknown device `{s}`: expected auto, cpu, cuda or cuda:N"),
        },
    }
}

fn cuda(index: usize, spec: &str) -> Result<Device> {
    let count = tch::Cuda::device_count();
    if count <= 0 {
        bail!("device `{spec}` requested but no CUDA device is available");
    }
    if index as i64 >= count {
        bail!("device `{spec}` requested but only {count} CUDA device(s) exist");
    }
    Ok(Device::Cuda(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpu_and_auto() {
        assert_eq!(parse_device("cpu").unwrap(), Device::Cpu);
        assert_eq!(parse_device(" CPU ").unwrap(), Device::Cpu);
        assert_eq!(parse_device("auto").unwrap(), Device::cuda_if_available());
    }

    #[test]
    fn rejects_unknown_and_malformed() {
        let err = parse_device("tpu").unwrap_err().to_string();
        assert!(err.contains("tpu"), "{err}");
        let err = format!("{:#}", parse_device("cuda:x").unwrap_err());
        assert!(err.contains("cuda:x"), "{err}");
    }

    #[test]
    fn cuda_index_is_checked_against_present_devices() {
        let count = tch::Cuda::device_count();
        let err = parse_device(&format!("cuda:{count}")).unwrap_err().to_string();
        assert!(err.contains(&format!("cuda:{count}")), "{err}");
    }
}
