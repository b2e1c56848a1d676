#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs libtorch if needed, then every test
# of every crate. Tests read the shared fixtures in ../shared when present.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
# Two cores: keep the build from running out of memory with many parallel rustc jobs.
cargo test --workspace --no-fail-fast "$@"
