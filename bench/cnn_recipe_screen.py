#!/usr/bin/python3
"""Screens learning-rate recipes for examples/cnn_fashion_mnist.cpp in PyTorch (run with /usr/bin/python3).

The fixed part mirrors the example and Keras's defaults: Conv2D(32, 3, relu) -> MaxPooling2D ->
Conv2D(64, 3, relu) -> MaxPooling2D -> Flatten -> Dropout(0.5) -> Dense(10, softmax),
glorot_uniform kernels and zero biases, Adam (beta 0.9/0.999, eps 1e-7), batch 64, 5 epochs,
pixels / 255, a new shuffle every epoch. Only the learning rate and its schedule vary; the
schedules use Keras's formulas evaluated at the optimizer's step counter before each update
(0 for the first), as xgrad's optim/schedules.cpp does.

    cnn_recipe_screen.py recipe=NAME seed=S [split=holdout|test] [threads=1] [epochs=5]
                         [init=glorot|he_uniform|he_normal] [ls=0] [wd=0] [beta2=0.999]
                         [flip=0] [shift=0] [eps=1e-7]

Knobs beyond the schedule (the defaults are the example's plain Keras choices):
init= the conv and dense kernels' initializer (Keras's glorot_uniform, he_uniform, he_normal);
ls= categorical cross-entropy's label_smoothing (Keras: y * (1 - ls) + ls / 10);
wd= Adam's weight_decay as Keras applies it (decoupled: w -= w * wd * lr before the Adam update,
    kernels and biases alike);
beta2= Adam's beta_2; eps= Adam's epsilon (Keras's 1e-7);
flip=1 a random horizontal flip of each training image with probability 1/2 (Keras's
    RandomFlip("horizontal")); shift=K a random shift of each training image by up to K pixels
    each way, zero-filled (RandomTranslation with fill_mode="constant").

split=holdout (the default) trains on the first 50,000 training images and reports accuracy on the
last 10,000 (the test set is not read); split=test trains on all 60,000 and reports the test set.
Recipes are named in RECIPES below; the schedules' step counts are the run's own steps
(epochs * ceil(rows / 64)), so the same recipe on 50,000 or 60,000 images decays over the run.
Prints one line "result recipe=... seed=... split=... accuracy=... ema_accuracy=... epoch_acc=a1,a2,... sec=...";
ema_accuracy is that of the weights' moving average (Keras's use_ema=True, ema_momentum=0.99),
tracked alongside without changing the training.
"""
import gzip
import math
import os
import sys
import time

import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist"


def load_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    if name.endswith("labels-idx1-ubyte.gz"):
        return torch.from_numpy(np.frombuffer(data, np.uint8, offset=8).astype(np.int64))
    images = np.frombuffer(data, np.uint8, offset=16).reshape(-1, 1, 28, 28)
    return torch.from_numpy(images.astype(np.float32) / np.float32(255))


# Keras 3 schedule formulas (keras/src/optimizers/schedules/learning_rate_schedule.py).
def constant(lr):
    return lambda step, total, per_epoch: lr


def cosine(initial, alpha=0.0, warmup_epochs=0.0, warmup_from=0.0):
    """CosineDecay(initial_learning_rate, decay_steps=total - warmup, alpha) or, with warmup,
    CosineDecay(warmup_from, decay_steps, alpha, warmup_target=initial, warmup_steps)."""
    def lr(step, total, per_epoch):
        warmup = int(round(warmup_epochs * per_epoch))
        decay = total - warmup
        if warmup:
            s = min(step, decay + warmup)
            if s < warmup:
                return (initial - warmup_from) * s / warmup + warmup_from
            s -= warmup
        else:
            s = min(step, decay)
        return initial * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / decay)) + alpha)
    return lr


def exponential(initial, rate_per_epoch):
    """ExponentialDecay(initial, decay_steps=steps per epoch, decay_rate, staircase=False)."""
    return lambda step, total, per_epoch: initial * rate_per_epoch ** (step / per_epoch)


def piecewise(boundary_epochs, values):
    """PiecewiseConstantDecay(boundaries = epochs * steps per epoch, values)."""
    def lr(step, total, per_epoch):
        for b, v in zip(boundary_epochs, values):
            if step <= b * per_epoch:
                return v
        return values[-1]
    return lr


def polynomial(initial, end=1e-4, power=1.0):
    """PolynomialDecay(initial, decay_steps=total, end_learning_rate, power)."""
    def lr(step, total, per_epoch):
        s = min(step, total)
        return (initial - end) * (1 - s / total) ** power + end
    return lr


RECIPES = {
    "const1e-3": constant(1e-3),
    "const2e-3": constant(2e-3),
    "const3e-3": constant(3e-3),
    "cos1e-3": cosine(1e-3),
    "cos2e-3": cosine(2e-3),
    "cos3e-3": cosine(3e-3),
    "cos5e-3": cosine(5e-3),
    "cos7e-3": cosine(7e-3),
    "cos1e-2_wu": cosine(1e-2, warmup_epochs=0.5, warmup_from=1e-3),
    "cos3e-3_wu": cosine(3e-3, warmup_epochs=0.5, warmup_from=3e-4),
    "cos5e-3_wu": cosine(5e-3, warmup_epochs=0.5, warmup_from=5e-4),
    "exp3e-3_0.5": exponential(3e-3, 0.5),
    "exp2e-3_0.6": exponential(2e-3, 0.6),
    "pw3e-3": piecewise([3, 4], [3e-3, 1e-3, 3e-4]),
    "poly3e-3": polynomial(3e-3),
    "lin5e-3": polynomial(5e-3, end=0.0),
}


def main():
    o = dict(a.split("=", 1) for a in sys.argv[1:])
    name, seed = o.get("recipe", "const1e-3"), int(o.get("seed", 0))
    split, epochs, batch = o.get("split", "holdout"), int(o.get("epochs", 5)), 64
    schedule = RECIPES[name]
    torch.set_num_threads(int(o.get("threads", 1)))
    torch.manual_seed(seed)
    x = load_idx("train-images-idx3-ubyte.gz")
    y = load_idx("train-labels-idx1-ubyte.gz")
    if split == "holdout":
        x_train, y_train, x_eval, y_eval = x[:50000], y[:50000], x[50000:], y[50000:]
    else:
        x_train, y_train = x, y
        x_eval, y_eval = load_idx("t10k-images-idx3-ubyte.gz"), load_idx("t10k-labels-idx1-ubyte.gz")
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    init = o.get("init", "glorot")
    for m in model:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            if init == "glorot":
                nn.init.xavier_uniform_(m.weight)  # Keras glorot_uniform (same fans for conv kernels)
            elif init == "he_uniform":  # Keras: uniform(-sqrt(6 / fan_in), sqrt(6 / fan_in))
                nn.init.kaiming_uniform_(m.weight, a=0.0, nonlinearity="relu")
            elif init == "he_normal":  # Keras: truncated normal, stddev sqrt(2 / fan_in) / .87962566
                fan_in = m.weight[0].numel()
                std = math.sqrt(2.0 / fan_in) / 0.87962566103423978
                nn.init.trunc_normal_(m.weight, std=std, a=-2 * std, b=2 * std)
            else:
                raise SystemExit(f"unknown init={init}")
            nn.init.zeros_(m.bias)
    ls, wd = float(o.get("ls", 0)), float(o.get("wd", 0))
    flip, shift = int(o.get("flip", 0)), int(o.get("shift", 0))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=float(o.get("eps", 1e-7)),
                                 betas=(0.9, float(o.get("beta2", 0.999))))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=ls)

    def augment(xb):
        if flip:
            mask = torch.rand(len(xb)) < 0.5
            xb = torch.where(mask[:, None, None, None], xb.flip(-1), xb)
        if shift:
            padded = nn.functional.pad(xb, (shift, shift, shift, shift))
            dy = torch.randint(0, 2 * shift + 1, (len(xb),)).tolist()
            dx = torch.randint(0, 2 * shift + 1, (len(xb),)).tolist()
            xb = torch.stack([padded[k, :, a:a + 28, b:b + 28] for k, (a, b) in enumerate(zip(dy, dx))])
        return xb
    n = len(x_train)
    per_epoch = (n + batch - 1) // batch
    total = epochs * per_epoch
    step = 0
    # Keras's use_ema (ema_momentum 0.99) tracked alongside: it never changes the training itself,
    # so one run reports both the plain weights' accuracy and their moving average's.
    params = list(model.parameters())
    average = [p.detach().clone() for p in params]

    def accuracy():
        model.eval()
        with torch.no_grad():
            correct = sum((model(x_eval[i:i + 1000]).argmax(1) == y_eval[i:i + 1000]).sum().item()
                          for i in range(0, len(x_eval), 1000))
        model.train()
        return correct / len(x_eval)

    start = time.perf_counter()
    epoch_acc = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n)
        for i in range(0, n, batch):
            lr = schedule(step, total, per_epoch)
            for g in optimizer.param_groups:
                g["lr"] = lr
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss_fn(model(augment(x_train[idx])), y_train[idx]).backward()
            if wd:
                with torch.no_grad():
                    for p in params:
                        p.mul_(1 - wd * lr)
            optimizer.step()
            with torch.no_grad():
                m = 0.99 if step != 0 else 0.0
                for a, p in zip(average, params):
                    a.mul_(m).add_(p, alpha=1 - m)
            step += 1
        epoch_acc.append(accuracy())
    sec = time.perf_counter() - start
    with torch.no_grad():
        for a, p in zip(average, params):
            p.copy_(a)
    ema_acc = accuracy()
    knobs = " ".join(f"{k}={o[k]}" for k in ("init", "ls", "wd", "beta2", "eps", "flip", "shift") if k in o)
    print(f"result recipe={name} {knobs} seed={seed} split={split} accuracy={epoch_acc[-1]:.4f} "
          f"ema_accuracy={ema_acc:.4f} epoch_acc={','.join(f'{a:.4f}' for a in epoch_acc)} sec={sec:.1f}", flush=True)


if __name__ == "__main__":
    main()
