#!/usr/bin/env bash
# The prepared GPU check: run it first whenever a session is lent a CUDA GPU
# (under 8 minutes). It runs the CUDA tests (fit and predict on the GPU, a
# GPU-trained model pickled and loaded by a process without CUDA) and
# `benchmarks/speed.py --device cuda` (table 5: ZO step with K=32 vs a
# cross-entropy step, goal <= 2x; table 1: PG fit vs skorch CE, goal <= 1.3x)
# and benchmarks/gpu_syncs.py (host synchronizations per ZO step).
#
# The device image has torch and scikit-learn but no skorch, and reaches no
# registry. Here, once:   bash benchmarks/gpu_check.sh prepare
# (downloads the wheels into .whl/, ignored by git). Then, with the device
# tool: run(command="bash benchmarks/gpu_check.sh", carry=[".whl"],
# timeout_s=540). The log also lands in $OUT/gpu_check.log.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "prepare" ]; then
    grep -qx "/.whl/" .git/info/exclude 2>/dev/null || echo "/.whl/" >> .git/info/exclude
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
        --implementation cp --platform manylinux_2_28_x86_64 \
        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        -d .whl skorch==1.4.0 scikit-learn==1.9.1 tabulate
    exit
fi

OUT=${OUT:-/tmp/gpu_check}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
{
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site:$PWD
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
    python3 -c "import torch, sklearn, skorch; print('torch', torch.__version__, \
'sklearn', sklearn.__version__, 'skorch', skorch.__version__, \
torch.cuda.get_device_name(0))"
    timeout 180 python3 -m pytest -q -p no:cacheprovider tests/test_classifiers.py tests/test_regressors.py \
        -k cuda
    timeout 300 python3 benchmarks/speed.py --device cuda
    timeout 90 python3 benchmarks/gpu_syncs.py
} 2>&1 | tee "$OUT/gpu_check.log"
