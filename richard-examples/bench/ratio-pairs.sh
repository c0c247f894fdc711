#!/bin/bash
# Interleaved pairs: richard bench, then the PyTorch harness, REPS times, on the first LIMIT training images;
# prints each pair's seconds per epoch and the median of the pair ratios. On a VM whose speed drifts, the
# ratio of runs made right after each other is steadier than either side's time.
#
#   richard-examples/bench/ratio-pairs.sh MNIST_DIR ANCHORS_DIR NET THREADS [REPS] [LIMIT]
#
# NET: dense or cnn. REPS default 4, LIMIT default 12000 (one epoch each, warm-up included on both sides).
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n '6,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
data=$(cd "$1" && pwd)
anchors=$(cd "$2" && pwd)
net=$3; t=$4; reps=${5:-4}; limit=${6:-12000}
python=${PYTHON:-python3}
if ! "$python" -c "import torch" 2>/dev/null; then
  # a Python of its own (pyenv, venv) often lacks Debian's python3-torch, which /usr/bin/python3 has
  if [ -z "${PYTHON:-}" ] && /usr/bin/python3 -c "import torch" 2>/dev/null; then python=/usr/bin/python3; else
    echo "$python cannot import torch: install it (apt-get install python3-torch) or set PYTHON" >&2; exit 1; fi
fi
home=$(cd "$(dirname "$0")/../.." && pwd)
for r in $(seq "$reps"); do
  a=$("$home/richard" bench --data "$data" --net "$net" --epochs 1 --threads "$t" --limit "$limit" 2>&1 \
    | sed -n 's/^bench .*sec_per_epoch=\([0-9.]*\).*/\1/p')
  b=$(cd "$anchors" && OMP_NUM_THREADS=$t MNIST_DIR="$data" "$python" torch/bench.py "$net" 1 "$limit" 2>&1 \
    | sed -n 's/^RESULT .*sec_per_epoch_median=\([0-9.]*\).*/\1/p')
  echo "$a $b"
done | awk -v desc="net=$net threads=$t limit=$limit" '
  NF == 2 { n++; r[n] = $1 / $2; printf "richard %.3f s  PyTorch %.3f s  ratio %.2f\n", $1, $2, r[n] }
  END {
    if (n == 0) { print "no complete pair" > "/dev/stderr"; exit 1 }
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { x = r[i]; r[i] = r[j]; r[j] = x }
    m = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
    printf "median ratio %.2f over %d pairs (%s)\n", m, n, desc
  }'
