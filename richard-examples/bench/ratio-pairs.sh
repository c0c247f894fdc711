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
source "$(dirname "$0")/peers.sh"
net=$3; t=$4; reps=${5:-4}; limit=${6:-12000}
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
