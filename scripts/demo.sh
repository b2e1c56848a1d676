#!/usr/bin/env bash
# The main job on the embedded default: installs libtorch if needed, builds the `dictas`
# binary, and runs `dictas demo` (synthetic benchmark, tiny random-weight models, a 2 x 2
# sweep, tables and plots). Extra arguments go to `dictas demo` (e.g. --force).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
cargo build --release -p dictas
./target/release/dictas demo "$@"
echo "report: $root/runs/demo/sweep/report"
