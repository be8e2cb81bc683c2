#!/usr/bin/python3
"""Golden values for tests/nn/test_conv_layers.cpp, written out independently of the C++ code.

Convolution as the direct loop of its definition (channels_last, TensorFlow's
padding split: same -> out = ceil(n / s), pad_before = floor(pad_total / 2)),
its two gradients as the loops that scatter the upstream gradient back,
max and average pooling (padded positions ignored; the average divides by the
number of valid positions, as Keras), and one BatchNormalization training step
then inference (Keras's formulas, float32). Everything but BatchNormalization is
float64.

Run: /usr/bin/python3 tests/nn/golden/generate_layers.py > tests/nn/golden/layers.txt
Format: "case <kind> <name> <params...>" then one line per array:
"<array name> <rank> <dims...> <values...>".
"""
import numpy as np


def values(shape, seed):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    return (np.sin(0.7 * i + seed) * np.cos(0.13 * i * (seed + 1))).reshape(shape)


def axis(n, k, s, d, padding):
    ke = (k - 1) * d + 1
    if padding == "valid":
        return (n - ke) // s + 1, 0
    out = -(-n // s)
    total = max((out - 1) * s + ke - n, 0)
    return out, total // 2


def conv(x, k, b, s, d, padding):
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    oh, pt = axis(h, kh, s[0], d[0], padding)
    ow, pl = axis(w, kw, s[1], d[1], padding)
    y = np.zeros((n, oh, ow, f))
    for bi in range(n):
        for i in range(oh):
            for j in range(ow):
                for o in range(f):
                    acc = b[o]
                    for p in range(kh):
                        for q in range(kw):
                            ih, iw = i * s[0] + p * d[0] - pt, j * s[1] + q * d[1] - pl
                            if 0 <= ih < h and 0 <= iw < w:
                                for ci in range(c):
                                    acc += x[bi, ih, iw, ci] * k[p, q, ci, o]
                    y[bi, i, j, o] = acc
    return y


def conv_grads(x, k, g, s, d, padding):
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    oh, pt = axis(h, kh, s[0], d[0], padding)
    ow, pl = axis(w, kw, s[1], d[1], padding)
    dx, dk = np.zeros_like(x), np.zeros_like(k)
    for bi in range(n):
        for i in range(oh):
            for j in range(ow):
                for p in range(kh):
                    for q in range(kw):
                        ih, iw = i * s[0] + p * d[0] - pt, j * s[1] + q * d[1] - pl
                        if 0 <= ih < h and 0 <= iw < w:
                            for o in range(f):
                                dx[bi, ih, iw, :] += g[bi, i, j, o] * k[p, q, :, o]
                                dk[p, q, :, o] += g[bi, i, j, o] * x[bi, ih, iw, :]
    return dx, dk


def pool(x, ps, s, padding, mode, g):
    n, h, w, c = x.shape
    oh, pt = axis(h, ps[0], s[0], 1, padding)
    ow, pl = axis(w, ps[1], s[1], 1, padding)
    y, dx = np.zeros((n, oh, ow, c)), np.zeros_like(x)
    for bi in range(n):
        for i in range(oh):
            for j in range(ow):
                rows = [r for r in range(i * s[0] - pt, i * s[0] - pt + ps[0]) if 0 <= r < h]
                cols = [q for q in range(j * s[1] - pl, j * s[1] - pl + ps[1]) if 0 <= q < w]
                for ci in range(c):
                    win = [(r, q) for r in rows for q in cols]
                    if mode == "max":
                        r, q = max(win, key=lambda rq: x[bi, rq[0], rq[1], ci])
                        y[bi, i, j, ci] = x[bi, r, q, ci]
                        dx[bi, r, q, ci] += g[bi, i, j, ci]
                    else:
                        y[bi, i, j, ci] = sum(x[bi, r, q, ci] for r, q in win) / len(win)
                        for r, q in win:
                            dx[bi, r, q, ci] += g[bi, i, j, ci] / len(win)
    return y, dx


def emit(name, a):
    a = np.asarray(a)
    print(name, a.ndim, *a.shape, *("%.17g" % v for v in a.ravel()))


CONV = [  # name, x shape, kernel shape, strides, padding, dilation
    ("valid_s1_odd", (2, 7, 5, 3), (3, 3, 3, 4), (1, 1), "valid", (1, 1)),
    ("same_s1", (1, 6, 7, 2), (3, 2, 2, 3), (1, 1), "same", (1, 1)),
    ("valid_s2", (2, 7, 7, 2), (3, 3, 2, 2), (2, 2), "valid", (1, 1)),
    ("same_s2_odd", (1, 7, 6, 3), (3, 3, 3, 2), (2, 2), "same", (1, 1)),
    ("same_s2_even_kernel", (1, 5, 5, 1), (2, 2, 1, 2), (2, 2), "same", (1, 1)),
    ("valid_d2", (1, 9, 8, 2), (3, 3, 2, 2), (1, 1), "valid", (2, 2)),
    ("same_d2", (1, 7, 7, 1), (3, 3, 1, 3), (1, 1), "same", (2, 2)),
]
POOL = [  # name, mode, x shape, pool, strides, padding
    ("max_valid_2", "max", (2, 5, 7, 2), (2, 2), (2, 2), "valid"),
    ("max_same_3s2", "max", (1, 7, 5, 3), (3, 3), (2, 2), "same"),
    ("max_same_2s1", "max", (1, 4, 5, 2), (2, 2), (1, 1), "same"),
    ("avg_valid_3s1", "average", (2, 5, 6, 2), (3, 3), (1, 1), "valid"),
    ("avg_same_3s2", "average", (1, 7, 5, 3), (3, 3), (2, 2), "same"),
    ("avg_same_2", "average", (1, 5, 5, 1), (2, 2), (2, 2), "same"),
]

for seed, (name, xs, ks, s, padding, d) in enumerate(CONV):
    x, k, b = values(xs, seed + 1), values(ks, seed + 11), values((ks[3],), seed + 21)
    y = conv(x, k, b, s, d, padding)
    g = values(y.shape, seed + 31)
    dx, dk = conv_grads(x, k, g, s, d, padding)
    print("case conv", name, *s, padding, *d)
    for n_, a in (("x", x), ("kernel", k), ("bias", b), ("y", y), ("g", g), ("dx", dx), ("dkernel", dk)):
        emit(n_, a)

for seed, (name, mode, xs, ps, s, padding) in enumerate(POOL):
    x = values(xs, seed + 41)
    oh, ow = axis(xs[1], ps[0], s[0], 1, padding)[0], axis(xs[2], ps[1], s[1], 1, padding)[0]
    y, _ = pool(x, ps, s, padding, mode, np.zeros((xs[0], oh, ow, xs[3])))
    g = values(y.shape, seed + 51)
    _, dx = pool(x, ps, s, padding, mode, g)
    print("case pool", name, mode, *ps, *s, padding)
    for n_, a in (("x", x), ("y", y), ("g", g), ("dx", dx)):
        emit(n_, a)

# BatchNormalization: one training step, then inference, in float32 with Keras's formulas.
f32 = np.float32
for name, xs in (("bn_2d", (6, 3)), ("bn_4d", (2, 3, 3, 2))):
    x = values(xs, 61).astype(f32) * f32(2) + f32(0.5)
    c = xs[-1]
    gamma = (f32(1) + values((c,), 62).astype(f32) * f32(0.5)).astype(f32)
    beta = values((c,), 63).astype(f32)
    mm0 = values((c,), 64).astype(f32) * f32(0.1)
    mv0 = (f32(1) + values((c,), 65).astype(f32) * f32(0.2)).astype(f32)
    momentum, eps = 0.99, 1e-3
    axes = tuple(range(len(xs) - 1))
    mean = x.astype(np.float64).mean(axis=axes)
    var = ((x.astype(np.float64) - mean) ** 2).mean(axis=axes)
    mean, var = mean.astype(f32), var.astype(f32)

    def bn(m, v):
        inv = (f32(1) / np.sqrt(v + f32(eps))).astype(f32) * gamma
        return (x * inv + (beta - m * inv)).astype(f32)

    y_train = bn(mean, var)
    mm = (mm0 * f32(momentum) + mean * f32(1.0 - momentum)).astype(f32)
    mv = (mv0 * f32(momentum) + var * f32(1.0 - momentum)).astype(f32)
    y_infer = bn(mm, mv)
    print("case batchnorm", name, momentum, eps)
    for n_, a in (("x", x), ("gamma", gamma), ("beta", beta), ("moving_mean0", mm0), ("moving_variance0", mv0),
                  ("y_train", y_train), ("moving_mean", mm), ("moving_variance", mv), ("y_infer", y_infer)):
        emit(n_, a.astype(np.float64))
