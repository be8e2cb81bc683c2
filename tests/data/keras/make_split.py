# Writes val_indices.npy: the 12,000 Fashion-MNIST training images Keras's
# published evaluation of fashion_mnist_dense_dropout.keras used
# (scikit-learn's train_test_split(test_size=0.2, random_state=42) takes
# numpy.random.RandomState(42).permutation(60000)[:12000] as its test part).
# Run with Debian's python3 (python3-numpy): /usr/bin/python3 make_split.py
import numpy as np

indices = np.random.RandomState(42).permutation(60000)[:12000]
np.save("val_indices.npy", indices.astype("<f4"))  # exact: every index is below 2^24
