#!/usr/bin/env bash
# Installs the project's one native dependency, libtorch, from PyPI's torch wheel into a
# project-local virtual environment (.venv). tch 0.26 is built against exactly torch 2.13.0.
# Idempotent: a second run only checks the version.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
want="2.13.0"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv"
  "$python" -m venv "$venv"
fi
have="$("$venv/bin/python" -W ignore -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  # The wheel and its CUDA libraries take about 5 GB once installed; pip also unpacks them
  # in a temporary folder first. Fail early with a clear message instead of midway.
  need_kb=$((9 * 1024 * 1024))
  for dir in "$venv" "${TMPDIR:-/tmp}"; do
    free_kb="$(df -Pk "$dir" | awk 'NR==2 {print $4}')"
    if [ -n "$free_kb" ] && [ "$free_kb" -lt "$need_kb" ]; then
      echo "setup: error: $dir has $((free_kb / 1024)) MiB free; installing torch==$want needs about 9 GiB" >&2
      exit 1
    fi
  done
  echo "setup: installing torch==$want into $venv (a few minutes, ~5 GB)"
  # --no-cache-dir: a cached copy of the wheels would double the disk use for nothing.
  "$venv/bin/python" -m pip install --quiet --no-cache-dir --disable-pip-version-check "torch==$want"
fi
"$venv/bin/python" -W ignore -c 'import torch, os; print("setup: libtorch", torch.__version__, "at", os.path.dirname(torch.__file__))'
# A stable path for .cargo/config.toml, whatever the Python minor version is.
torch_dir="$("$venv/bin/python" -W ignore -c 'import torch, os; print(os.path.dirname(torch.__file__))')"
ln -sfn "$torch_dir" "$venv/libtorch"
