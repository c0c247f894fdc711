#!/bin/bash
# Trains the example networks with richard and with the peer harnesses (PyTorch, Deeplearning4j) one after the
# other on the same machine, and prints each run's result lines: the side-by-side table of docs/performance.md.
#
#   richard-examples/bench/compare-with-peers.sh MNIST_DIR ANCHORS_DIR
#
# MNIST_DIR: full MNIST (the four IDX files, gzipped or not). ANCHORS_DIR: the team's peer harnesses
# (shared/anchors: torch/bench.py, dl4j/run.sh; its README says how to install them). PYTHON (default python3)
# runs the PyTorch harness; SKIP_DL4J=1 leaves Deeplearning4j out (it takes minutes). Runs are sequential: never
# run two benchmarks at once on a small machine.
set -euo pipefail
if [ $# -ne 2 ]; then
  sed -n '5,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
source "$(dirname "$0")/peers.sh"

echo "== $(date -u) $(uptime)"
for net in dense cnn; do
  epochs=$([ $net = dense ] && echo 5 || echo 1)
  torch_epochs=$([ $net = dense ] && echo 3 || echo 1)
  for t in 1 2; do
    echo "-- richard $net threads=$t"
    "$home/richard" bench --data "$data" --net $net --epochs $epochs --threads $t 2>&1 | grep -E "^(epoch|eval|bench)|[Ee]rror"
    echo "-- torch $net threads=$t"
    (cd "$anchors" && OMP_NUM_THREADS=$t MNIST_DIR="$data" "$python" torch/bench.py $net $torch_epochs 2>&1 \
      | grep -E "^(epoch|RESULT)|[Ee]rror")
  done
done
if [ "${SKIP_DL4J:-0}" != 1 ] && [ ! -d "$anchors/dl4j/target/lib" ]; then
  echo "-- dl4j skipped: build its harness first (cd $anchors/dl4j && mvn -B -q package), or set SKIP_DL4J=1"
elif [ "${SKIP_DL4J:-0}" != 1 ]; then
  echo "-- dl4j dense threads=1"
  (cd "$anchors/dl4j" && OMP_NUM_THREADS=1 MNIST_DIR="$data" ./run.sh dense 1 2>&1 | grep -E "^(epoch|RESULT)|[Ee]rror")
  echo "-- dl4j cnn threads=1 (6,000 images, extrapolated)"
  (cd "$anchors/dl4j" && OMP_NUM_THREADS=1 MNIST_DIR="$data" ./run.sh cnn 1 6000 2>&1 | grep -E "^(epoch|RESULT)|[Ee]rror")
fi
echo "== $(date -u)"
