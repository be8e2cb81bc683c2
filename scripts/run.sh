#!/usr/bin/env bash
# Installs what is missing, builds xgrad and runs the examples (short mode).
# Output files (CSV, PNG) land in ./out/ unless XGRAD_OUT is set.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
xgrad_install_packages

cd "$XGRAD_ROOT"
xgrad_build build -DXGRAD_BUILD_TESTS=OFF
export XGRAD_OUT="${XGRAD_OUT:-$XGRAD_ROOT/out}"
mkdir -p "$XGRAD_OUT"
for example in linear_regression dense_network fashion_mnist convergence custom_optimizer custom_model functional_model \
    cnn_fashion_mnist; do
  if [ -x "build/examples/$example" ]; then
    echo
    echo "=================== $example ==================="
    "build/examples/$example" --out "$XGRAD_OUT"
  fi
done
echo
echo "=================== keras_interop ==================="
# The Keras 3 file Keras itself wrote: evaluate, fine-tune one epoch, save as .keras and reload.
build/examples/keras_interop --model tests/data/keras/fashion_mnist_dense_dropout.keras --epochs 1 \
  --predict "$XGRAD_OUT/keras_interop_predictions.npy" --save "$XGRAD_OUT/keras_interop_tuned.keras"
if command -v mpirun >/dev/null && [ -x build/examples/distributed_fashion_mnist ]; then
  echo
  echo "=================== distributed_fashion_mnist (mpirun -np 2) ==================="
  # Two ranks on loopback; Open MPI asks for the two OMPI_ALLOW_* variables when run as root.
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 \
    mpirun -np 2 --oversubscribe --mca btl self,tcp --mca btl_tcp_if_include lo \
    build/examples/distributed_fashion_mnist --out "$XGRAD_OUT"
fi
echo
echo "Outputs (CSV, PNG) are in $XGRAD_OUT"
