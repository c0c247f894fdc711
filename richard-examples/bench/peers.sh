# Sourced by compare-with-peers.sh and ratio-pairs.sh (not run on its own): resolves MNIST_DIR and ANCHORS_DIR
# (the caller's $1 and $2) to absolute paths, the repository root, and a Python that can import PyTorch.
data=$(cd "$1" && pwd)
anchors=$(cd "$2" && pwd)
home=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -f "$anchors/torch/bench.py" ] || { echo "no torch/bench.py under $anchors (the peer harnesses)" >&2; exit 1; }
python=${PYTHON:-python3}
if ! "$python" -c "import torch" 2>/dev/null; then
  # a Python of its own (pyenv, venv) often lacks Debian's python3-torch, which /usr/bin/python3 has
  if [ -z "${PYTHON:-}" ] && /usr/bin/python3 -c "import torch" 2>/dev/null; then python=/usr/bin/python3; else
    echo "$python cannot import torch: install it (apt-get install python3-torch) or set PYTHON" >&2; exit 1; fi
fi
