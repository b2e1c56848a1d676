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
  echo "setup: installing torch==$want into $venv (a few minutes, ~5 GB)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "torch==$want"
fi
"$venv/bin/python" -W ignore -c 'import torch, os; print("setup: libtorch", torch.__version__, "at", os.path.dirname(torch.__file__))'
# A stable path for .cargo/config.toml, whatever the Python minor version is.
torch_dir="$("$venv/bin/python" -W ignore -c 'import torch, os; print(os.path.dirname(torch.__file__))')"
ln -sfn "$torch_dir" "$venv/libtorch"
