//! Helpers shared by the end-to-end tests of the `dictas` command.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The shared parity fixture (a tiny random-weight DictAS setup and the reference's outputs).
pub fn fixture() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/parity-mvtec");
    assert!(path.is_dir(), "parity fixture not found at {} (expected ../shared beside the checkout)", path.display());
    path
}

/// Runs the `dictas` binary built for these tests.
pub fn dictas(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dictas"))
        .args(args)
        .env("DICTAS_PROGRESS", "0")
        .output()
        .expect("the dictas binary runs")
}

/// Asserts success and returns stdout.
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "dictas failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts failure and returns stderr.
pub fn fails(output: &Output) -> String {
    assert!(!output.status.success(), "dictas was expected to fail but succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Reads a CSV into rows of (header -> value).
pub fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// Starts the `dictas` binary without waiting, output discarded (for tests that stop it).
pub fn spawn_dictas(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_dictas"))
        .args(args)
        .env("DICTAS_PROGRESS", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the dictas binary starts")
}

/// A YAML string literal for `path` (JSON strings are valid YAML double-quoted scalars).
pub fn yaml_path(path: &Path) -> String {
    serde_json::to_string(s(path)).expect("a path serializes")
}

/// A sweep spec over the parity fixture: dataset mvtec, the fixture's DictAS weights, random
/// supports, CPU. `backbones` are (display name, weights file inside the fixture) pairs, all
/// at the fixture's image size 224.
pub fn fixture_sweep_yaml(output: &Path, backbones: &[(&str, &str)], k_shots: &[usize], seeds: &[u64]) -> String {
    let fx = fixture();
    let list = |values: Vec<String>| format!("[{}]", values.join(", "));
    let mut yaml = format!(
        "name: fixture-sweep\n\
         data_root: {data}\n\
         output: {output}\n\
         datasets: [mvtec]\n\
         methods:\n  - name: dictas\n    checkpoint: {checkpoint}\n\
         backbones:\n",
        data = yaml_path(&fx.join("data")),
        output = yaml_path(output),
        checkpoint = yaml_path(&fx.join("dictas.pth")),
    );
    for (name, file) in backbones {
        yaml.push_str(&format!(
            "  - name: {name}\n    weights: {}\n    image_size: 224\n",
            yaml_path(&fx.join(file))
        ));
    }
    yaml.push_str(&format!(
        "k_shots: {}\nseeds: {}\nsupports: random\ndevice: cpu\n",
        list(k_shots.iter().map(|k| k.to_string()).collect()),
        list(seeds.iter().map(|s| s.to_string()).collect()),
    ));
    yaml
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write_text(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path
}

/// Names of the finished cell folders under `out/cells` (staging folders start with a dot),
/// sorted.
pub fn cell_ids(out: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(out.join("cells"))
        .unwrap_or_else(|e| panic!("listing {}/cells: {e}", out.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    ids.sort();
    ids
}

/// Entries of `out/cells` that are not finished cells (staging or moved-aside folders).
pub fn leftover_staging(out: &Path) -> Vec<String> {
    std::fs::read_dir(out.join("cells"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}
