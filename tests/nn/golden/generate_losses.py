#!/usr/bin/python3
"""Golden values for tests/nn/test_activations_losses.cpp: Keras 3's activations
(keras/src/activations/activations.py) and losses (keras/src/losses/losses.py),
written out here in float64 numpy from Keras's formulas, independently of the C++.

Run: /usr/bin/python3 tests/nn/golden/generate_losses.py > tests/nn/golden/losses.txt

Format, one value list per line:
  x <values>                            the activations' input, shape (2, 4)
  activation <name> <values>            act(x), row-major
  loss <name> <case> none <values>      per-sample values of loss on case (y_true, y_pred)
  loss <name> <case> weighted <value>   sum_over_batch_size with sample weights W
"""
import numpy as np

EPS = 1e-7
X = np.array([[-3.5, -1.2, -0.3, 0.05], [0.7, 2.4, 6.0, -0.8]])
W = np.array([1.2, 0.5, 3.4])

CASES = {
    # 0/1 labels against probabilities
    "binary": (np.array([[0, 1, 0, 1], [1, 0, 0, 0], [0, 0, 1, 1]], float),
               np.array([[0.1, 0.6, 0.2, 0.1], [0.3, 0.3, 0.2, 0.2], [0.05, 0.1, 0.7, 0.15]])),
    # distributions against distributions
    "soft": (np.array([[0.2, 0.3, 0.1, 0.4], [0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1]]),
             np.array([[0.1, 0.6, 0.2, 0.1], [0.3, 0.3, 0.2, 0.2], [0.05, 0.1, 0.7, 0.15]])),
    # regression targets, large errors (huber's linear part), signed
    "regression": (np.array([[1.0, 9.0, 2.0, -0.5], [-5.0, -2.0, 6.0, 0.0], [0.3, 0.1, -0.2, 4.0]]),
                   np.array([[4.0, 8.0, 12.0, 0.5], [8.0, 1.0, 3.0, 0.2], [0.4, -0.3, 0.1, 1.5]])),
    # +-1 labels against scores (hinge)
    "signed": (np.array([[-1, 1, 1, -1], [1, 1, -1, -1], [-1, -1, -1, 1]], float),
               np.array([[0.3, 0.8, -0.4, -2.0], [1.5, -0.2, 0.1, 0.6], [-0.7, 0.2, -1.2, 0.9]])),
}


def softplus(x):
    return np.logaddexp(0.0, x)


def log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


ACTIVATIONS = {
    "elu": elu,
    "selu": lambda x: 1.0507009873554804934193349852946 * elu(x, 1.6732632423543772848170429916717),
    "silu": lambda x: x * sigmoid(x),
    "swish": lambda x: x * sigmoid(x),
    "softplus": softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "mish": lambda x: x * np.tanh(softplus(x)),
    "exponential": np.exp,
    "log_softmax": log_softmax,
}


def hinge_labels(y):
    return 2 * y - 1 if np.all((y == 0) | (y == 1)) else y


def normalize(x):
    return x / np.sqrt(np.maximum((x * x).sum(-1, keepdims=True), EPS * EPS))


def huber(y, p, delta):
    e = p - y
    a = np.abs(e)
    return np.where(a <= delta, 0.5 * e * e, delta * a - 0.5 * delta * delta).mean(-1)


def cce(y, p, ls=0.0):
    if ls:
        y = y * (1 - ls) + ls / y.shape[-1]
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(y * np.log(p)).sum(-1)


def bce(y, p, ls=0.0):
    if ls:
        y = y * (1 - ls) + 0.5 * ls
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)


LOSSES = {
    "mae": lambda y, p: np.abs(y - p).mean(-1),
    "mape": lambda y, p: 100 * np.abs((y - p) / np.maximum(np.abs(y), EPS)).mean(-1),
    "msle": lambda y, p: ((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2).mean(-1),
    "huber": lambda y, p: huber(y, p, 1.0),
    "huber_0.25": lambda y, p: huber(y, p, 0.25),
    "log_cosh": lambda y, p: np.log(np.cosh(p - y)).mean(-1),
    "kld": lambda y, p: (np.clip(y, EPS, 1) * np.log(np.clip(y, EPS, 1) / np.clip(p, EPS, 1))).sum(-1),
    "poisson": lambda y, p: (p - y * np.log(p + EPS)).mean(-1),
    "hinge": lambda y, p: np.maximum(1 - hinge_labels(y) * p, 0).mean(-1),
    "squared_hinge": lambda y, p: (np.maximum(1 - hinge_labels(y) * p, 0) ** 2).mean(-1),
    "cosine_similarity": lambda y, p: -(normalize(y) * normalize(p)).sum(-1),
    "categorical_crossentropy_ls0.2": lambda y, p: cce(y, p, 0.2),
    "binary_crossentropy_ls0.2": lambda y, p: bce(y, p, 0.2),
}
# Which cases each loss is meant for (its domain).
DOMAIN = {"mae": "binary soft regression signed", "mape": "binary soft regression signed",
          "msle": "binary soft regression", "huber": "binary regression signed", "huber_0.25": "regression signed",
          "log_cosh": "binary soft regression signed", "kld": "binary soft", "poisson": "binary soft",
          "hinge": "binary signed", "squared_hinge": "binary signed",
          "cosine_similarity": "binary soft regression signed",
          "categorical_crossentropy_ls0.2": "binary soft", "binary_crossentropy_ls0.2": "binary soft"}


def fmt(values):
    return " ".join(repr(float(v)) for v in np.asarray(values).ravel())


def main():
    print("x", fmt(X))
    for name, f in ACTIVATIONS.items():
        print("activation", name, fmt(f(X)))
    for name, f in LOSSES.items():
        for case in DOMAIN[name].split():
            y, p = CASES[case]
            values = f(y, p)
            print("loss", name, case, "none", fmt(values))
            print("loss", name, case, "weighted", fmt([(values * W).sum() / values.size]))


if __name__ == "__main__":
    main()
