//! Locating the shared parity fixture.

use std::path::PathBuf;

/// The `parity-mvtec` fixture: `$DICTAS_PARITY_FIXTURE`, else `shared/fixtures/parity-mvtec`
/// inside or next to the repository.
pub fn parity_fixture() -> PathBuf {
    if let Ok(dir) = std::env::var("DICTAS_PARITY_FIXTURE") {
        return PathBuf::from(dir);
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates = [
        repo.join("shared/fixtures/parity-mvtec"),
        repo.join("../shared/fixtures/parity-mvtec"),
    ];
    candidates
        .iter()
        .find(|p| p.join("README.md").exists())
        .cloned()
        .unwrap_or_else(|| panic!("parity fixture not found in {candidates:?}; set DICTAS_PARITY_FIXTURE"))
}
