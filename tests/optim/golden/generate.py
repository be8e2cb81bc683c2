#!/usr/bin/python3
"""Golden optimizer trajectories for tests/optim/test_golden.cpp.

Each optimizer's update is written out here from Keras 3's formulas (see the
headers in optim/), independently of the C++ code, and run twice: in float32
with the roundings TensorFlow does (Python-float arithmetic like `1 - beta_1`
in double, rounded once; tensor arithmetic like `beta_1 ** t` in float32), and
in float64. Problem: two variables with gradients g = a * (w - c) (the
gradient of 0.5 * sum(a * (w - c)^2)), computed in the working precision.

Run: /usr/bin/python3 tests/optim/golden/generate.py > tests/optim/golden/trajectories.txt

With --torch it runs torch.optim itself (PyTorch 1.13, Debian's python3-torch)
for TORCH_STEPS steps of the same problem in float32, for the optimizers xgrad
offers in torch's conventions (epsilon_placement='pytorch_cpu': bit for bit):
/usr/bin/python3 tests/optim/golden/generate.py --torch > tests/optim/golden/torch_trajectories.txt
"""
import ctypes
import sys

import numpy as np

# float32 powers go through libm's powf, as TensorFlow's CPU kernels (Eigen ->
# std::pow(float, float)) and xgrad do; numpy's float32 power kernel differs
# from powf in the last bit for some exponents (0.9f ** 4, 0.999f ** 9).
_libm = ctypes.CDLL("libm.so.6")
_libm.powf.restype = ctypes.c_float
_libm.powf.argtypes = [ctypes.c_float, ctypes.c_float]

STEPS = 12
W0 = [[0.5, -1.5, 2.0], [[1.0, -0.25], [0.75, -2.0]]]
A = [[1.0, 0.5, 2.0], [[0.3, 1.5], [1.0, 4.0]]]
C = [[0.1, 0.2, -0.3], [[0.0, 1.0], [-1.0, 0.5]]]


class Run:
    """One trajectory in dtype `dt`; `o` holds the options as Keras spells them."""

    def __init__(self, dt, o):
        self.dt, self.o = dt, o
        self.w = [np.array(x, dtype=dt) for x in W0]
        self.a = [np.array(x, dtype=dt) for x in A]
        self.c = [np.array(x, dtype=dt) for x in C]
        self.raw = 0
        self.slots = [dict() for _ in self.w]
        self.u_product = dt(1.0)

    def f(self, x):  # a Python number meeting a tensor: rounded once
        return self.dt(x)

    def pow(self, x, y):  # x ** y on scalars of the working dtype
        if self.dt is np.float32:
            return np.float32(_libm.powf(float(x), float(y)))
        return np.power(x, y)

    def iterations(self):
        n = self.o.get("gradient_accumulation_steps")
        return self.raw // n if n else self.raw

    def lr(self):
        s = self.o.get("schedule")
        if s is None:
            return self.f(self.o["learning_rate"])
        init, steps, rate = s  # ExponentialDecay in the working dtype
        p = self.dt(self.raw) / self.dt(steps)
        return self.f(init) * self.pow(self.f(rate), p)

    def slot(self, i, name, init=0.0):
        if name not in self.slots[i]:
            self.slots[i][name] = np.full_like(self.w[i], init)
        return self.slots[i][name]

    def sumsq(self, g):  # squares in dtype, summed in dtype one element at a time from the first
        total = self.dt(0.0)
        for x in g.ravel():
            total = total + x * x
        return total

    def step(self):
        o, dt = self.o, self.dt
        grads = [a * (w - c) for a, w, c in zip(self.a, self.w, self.c)]
        if o.get("loss_scale_factor"):
            grads = [g / self.f(o["loss_scale_factor"]) for g in grads]
        lr = self.lr()
        n = o.get("gradient_accumulation_steps")
        if n:
            accs = [self.slot(i, "acc") for i in range(len(grads))]
            if (self.raw + 1) % n != 0:
                for acc, g in zip(accs, grads):
                    acc[...] = g + acc
                self.raw += 1
                return
            grads = [(g + acc) / dt(n) for g, acc in zip(grads, accs)]
            for acc in accs:
                acc[...] = 0
        if o.get("clipnorm"):
            c = self.f(o["clipnorm"])
            grads = [(g * c) / max(np.sqrt(self.sumsq(g)), c) for g in grads]
        if o.get("clipvalue"):
            v = self.f(o["clipvalue"])
            grads = [np.clip(g, -v, v) for g in grads]
        if o.get("global_clipnorm"):
            c = self.f(o["global_clipnorm"])
            total = dt(0.0)
            for g in grads:  # in dtype, variable by variable
                total = total + self.sumsq(g)
            norm = np.sqrt(total)
            scale = c * min(dt(1.0) / norm, dt(1.0) / c)
            grads = [g * scale for g in grads]
        torch_decay = self.kind in ("adam", "adamw") and o.get("epsilon_placement") == "pytorch"
        if o.get("weight_decay") and not torch_decay:
            wd = self.f(o["weight_decay"])
            for w in self.w:
                w[...] = w - (w * wd) * lr
        t = dt(self.iterations() + 1)
        if self.kind == "nadam":
            self.u_product = self.u_product * self.f(o["beta_1"]) * (dt(1.0) - dt(0.5) * self.pow(dt(0.96), t))
        for i, g in enumerate(grads):
            getattr(self, "update_" + self.kind)(i, self.w[i], g, lr, t)
        self.raw += 1

    # ---- the update rules, one per optimizer --------------------------------
    def update_gradient_descent(self, i, w, g, lr, t):
        w[...] = w - g * lr

    def update_momentum(self, i, w, g, lr, t):
        mu, m = self.f(self.o["momentum"]), self.slot(i, "m")
        if self.o.get("convention") == "pytorch":
            m[...] = m * mu + g
            w[...] = w - lr * ((g + mu * m) if self.o.get("nesterov") else m)
        else:
            m[...] = m * mu - g * lr
            w[...] = w + ((m * mu - g * lr) if self.o.get("nesterov") else m)

    def update_adam(self, i, w, g, lr, t):
        o, f = self.o, self.f
        if o.get("epsilon_placement") == "pytorch":
            return self.update_adam_torch(i, w, g, lr, t)
        b1p, b2p = self.pow(f(o["beta_1"]), t), self.pow(f(o["beta_2"]), t)
        m, v = self.slot(i, "m"), self.slot(i, "v")
        m[...] = m + (g - m) * f(1 - o["beta_1"])
        v[...] = v + (g * g - v) * f(1 - o["beta_2"])
        if o.get("amsgrad"):
            vh = self.slot(i, "vhat")
            vh[...] = np.maximum(vh, v)
            v = vh
        alpha = lr * np.sqrt(self.dt(1.0) - b2p) / (self.dt(1.0) - b1p)
        w[...] = w - (m * alpha) / (np.sqrt(v) + f(o["epsilon"]))

    def update_adam_torch(self, i, w, g, lr, t):
        """torch.optim.Adam, _single_tensor_adam: Python-float scalars, tensor ops in dtype."""
        o, f = self.o, self.f
        if o.get("weight_decay"):  # torch.optim.AdamW: param.mul_(1 - lr * weight_decay)
            w[...] = w * f(1 - float(lr) * o["weight_decay"])
        b1, b2, step = o["beta_1"], o["beta_2"], float(t)
        m, v = self.slot(i, "m"), self.slot(i, "v")
        weight = f(1 - b1)  # exp_avg.lerp_(grad, 1 - beta1): ATen's two-sided lerp
        if weight < 0.5:
            m[...] = m + weight * (g - m)
        else:
            m[...] = g - (g - m) * (self.dt(1.0) - weight)
        v[...] = v * f(b2) + (f(1 - b2) * g) * g  # mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        if o.get("amsgrad"):
            vh = self.slot(i, "vhat")
            vh[...] = np.maximum(vh, v)
            v = vh
        step_size = float(lr) / (1 - b1 ** step)
        bc2_sqrt = (1 - b2 ** step) ** 0.5
        denom = np.sqrt(v) / f(bc2_sqrt) + f(o["epsilon"])
        w[...] = w + (f(-step_size) * m) / denom  # addcdiv_(exp_avg, denom, value=-step_size)

    update_adamw = update_adam

    def update_rmsprop(self, i, w, g, lr, t):
        o, f = self.o, self.f
        rho, omr, eps = f(o["rho"]), f(1 - o["rho"]), f(o["epsilon"])
        v = self.slot(i, "v")
        if o.get("epsilon_placement") == "pytorch":  # torch.optim.RMSprop (alpha = rho)
            v[...] = v * rho + (omr * g) * g
            if o.get("centered"):
                a = self.slot(i, "avg")
                a[...] = a * rho + omr * g
                avg = np.sqrt(v + (self.dt(-1.0) * a) * a) + eps
            else:
                avg = np.sqrt(v) + eps
            if o.get("momentum", 0.0) > 0:
                mom = self.slot(i, "mom")
                mom[...] = mom * f(o["momentum"]) + g / avg
                w[...] = w + f(-float(lr)) * mom
            else:
                w[...] = w + (f(-float(lr)) * g) / avg
            return
        v[...] = rho * v + omr * (g * g)
        denom = v + eps
        if o.get("centered"):
            a = self.slot(i, "avg")
            a[...] = rho * a + omr * g
            denom = (v - a * a) + eps
        inc = (lr * g) / np.sqrt(denom)
        if o.get("momentum", 0.0) > 0:
            mom = self.slot(i, "mom")
            mom[...] = f(o["momentum"]) * mom + inc
            w[...] = w - mom
        else:
            w[...] = w - inc

    def update_adagrad(self, i, w, g, lr, t):
        acc = self.slot(i, "acc_sq", self.o["initial_accumulator_value"])
        if self.o.get("epsilon_placement") == "pytorch":  # torch.optim.Adagrad, lr_decay 0
            acc[...] = acc + (self.dt(1.0) * g) * g
            w[...] = w + (self.f(-float(lr)) * g) / (np.sqrt(acc) + self.f(self.o["epsilon"]))
            return
        acc[...] = acc + g * g
        w[...] = w - (lr * g) / np.sqrt(acc + self.f(self.o["epsilon"]))

    def update_adamax(self, i, w, g, lr, t):
        o, f = self.o, self.f
        m, u = self.slot(i, "m"), self.slot(i, "u")
        m[...] = m + (g - m) * f(1 - o["beta_1"])
        u[...] = np.maximum(f(o["beta_2"]) * u, np.abs(g))
        w[...] = w - (lr * m) / ((self.dt(1.0) - self.pow(f(o["beta_1"]), t)) * (u + f(o["epsilon"])))

    def update_nadam(self, i, w, g, lr, t):
        o, dt = self.o, self.dt
        b1, b2, one, half, decay = dt(o["beta_1"]), dt(o["beta_2"]), dt(1.0), dt(0.5), dt(0.96)
        u_t = b1 * (one - half * self.pow(decay, t))
        u_t1 = b1 * (one - half * self.pow(decay, t + one))
        up = self.u_product
        m, v = self.slot(i, "m"), self.slot(i, "v")
        m[...] = m + (g - m) * (one - b1)
        v[...] = v + (g * g - v) * (one - b2)
        m_hat = (u_t1 * m) / (one - up * u_t1) + ((one - u_t) * g) / (one - up)
        v_hat = v / (one - self.pow(b2, t))
        w[...] = w - (m_hat * lr) / (np.sqrt(v_hat) + dt(o["epsilon"]))

    def update_lion(self, i, w, g, lr, t):
        dt, one = self.dt, self.dt(1.0)
        b1, b2 = dt(self.o["beta_1"]), dt(self.o["beta_2"])
        m = self.slot(i, "m")
        w[...] = w - lr * np.sign(m * b1 + g * (one - b1))
        m[...] = m * b2 + g * (one - b2)

    def update_adadelta(self, i, w, g, lr, t):
        o, f = self.o, self.f
        rho, omr, eps = f(o["rho"]), f(1 - o["rho"]), f(o["epsilon"])
        acc_g, acc_d = self.slot(i, "acc_g"), self.slot(i, "acc_d")
        acc_g[...] = rho * acc_g + omr * (g * g)
        delta = -((np.sqrt(acc_d + eps) * g) / np.sqrt(acc_g + eps))
        acc_d[...] = rho * acc_d + omr * (delta * delta)
        w[...] = w + lr * delta

    def powv(self, x, y):  # elementwise x ** y (float32: libm powf per element)
        if self.dt is np.float32:
            return np.array([_libm.powf(float(a), float(y)) for a in x.ravel()], dtype=np.float32).reshape(x.shape)
        return np.power(x, y)

    def update_ftrl(self, i, w, g, lr, t):
        o, f, dt = self.o, self.f, self.dt
        l2 = f(o["l2_regularization_strength"]) + f(o["beta"]) / (dt(2.0) * lr)
        g2 = g + f(2 * o["l2_shrinkage_regularization_strength"]) * w
        acc = self.slot(i, "acc", o["initial_accumulator_value"])
        lin = self.slot(i, "linear")
        p = f(-o["learning_rate_power"])
        new_acc = acc + g * g
        new_pow = self.powv(new_acc, p)
        lin[...] = lin + (g2 - ((new_pow - self.powv(acc, p)) / lr) * w)
        quadratic = new_pow / lr + dt(2.0) * l2
        l1 = f(o["l1_regularization_strength"])
        w[...] = (np.minimum(np.maximum(lin, -l1), l1) - lin) / quadratic
        acc[...] = new_acc

    def update_lamb(self, i, w, g, lr, t):
        o, f, one = self.o, self.f, self.dt(1.0)
        m, v = self.slot(i, "m"), self.slot(i, "v")
        m[...] = m + (g - m) * f(1 - o["beta_1"])
        v[...] = v + (g * g - v) * f(1 - o["beta_2"])
        b1p, b2p = self.pow(f(o["beta_1"]), t), self.pow(f(o["beta_2"]), t)
        r = (m / (one - b1p)) / (np.sqrt(v / (one - b2p)) + f(o["epsilon"]))
        w_norm, r_norm = np.sqrt(self.sumsq(w)), np.sqrt(self.sumsq(r))
        ratio = w_norm / r_norm if w_norm > 0 and r_norm > 0 else one
        w[...] = w - (ratio * lr) * r

    def mean(self, x):  # summed in dtype in index order, divided by the count
        total = self.dt(0.0)
        for e in x.ravel():
            total = total + e
        return total / self.dt(x.size)

    def update_adafactor(self, i, w, g, lr, t):
        o, f, dt, one = self.o, self.f, self.dt, self.dt(1.0)
        inv_sqrt_t = one / np.sqrt(t)
        if o.get("relative_step", True) and "schedule" not in o:
            lr = min(lr, inv_sqrt_t)
        rho = min(lr, inv_sqrt_t)
        alpha = max(f(o["epsilon_2"]), np.sqrt(self.mean(w * w))) * rho
        beta = one - self.pow(t, f(o["beta_2_decay"]))
        G = g * g + f(o["epsilon_1"])
        v = self.slot(i, "v")
        if w.ndim >= 2:
            r = self.slot(i, "r")
            c = self.slot(i, "c")
            if r.shape != w.shape[:-1]:
                self.slots[i]["r"] = r = np.zeros(w.shape[:-1], dtype=dt)
                self.slots[i]["c"] = c = np.zeros(w.shape[:-2] + w.shape[-1:], dtype=dt)
            r[...] = beta * r + (one - beta) * np.array([self.mean(row) for row in G], dtype=dt)
            c[...] = beta * c + (one - beta) * np.array([self.mean(col) for col in G.T], dtype=dt)
            v[...] = (r / self.mean(r))[:, None] * c[None, :]
        else:
            v[...] = beta * v + (one - beta) * G
        u = g / np.sqrt(v)
        divisor = max(one, np.sqrt(self.mean(u * u)) / f(o["clip_threshold"]))
        w[...] = w - alpha * (u / divisor)


ADAM = {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
CASES = [
    ("sgd", "gradient_descent", {"learning_rate": 0.1}),
    ("momentum_keras", "momentum", {"learning_rate": 0.05, "momentum": 0.9}),
    ("momentum_keras_nesterov", "momentum", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("momentum_pytorch", "momentum", {"learning_rate": 0.05, "momentum": 0.9, "convention": "pytorch"}),
    ("momentum_pytorch_nesterov", "momentum",
     {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True, "convention": "pytorch"}),
    ("adam", "adam", ADAM),
    ("adam_amsgrad", "adam", {**ADAM, "amsgrad": True}),
    ("adam_pytorch_epsilon", "adam", {**ADAM, "epsilon": 1e-3, "epsilon_placement": "pytorch"}),
    ("adam_pytorch_amsgrad_beta1_0.3", "adam",  # lerp weight 0.7: ATen's other lerp form
     {**ADAM, "beta_1": 0.3, "epsilon": 1e-8, "amsgrad": True, "epsilon_placement": "pytorch"}),
    ("adam_keras_epsilon_1e-3", "adam", {**ADAM, "epsilon": 1e-3}),
    ("adamw", "adamw", {**ADAM, "weight_decay": 0.004}),
    ("rmsprop", "rmsprop", {"learning_rate": 0.01, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7}),
    ("rmsprop_centered_momentum", "rmsprop",
     {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "epsilon": 1e-7, "centered": True}),
    ("adagrad", "adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.1, "epsilon": 1e-7}),
    ("adamax", "adamax", {"learning_rate": 0.02, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    ("nadam", "nadam", {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    ("lion", "lion", {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.99}),
    ("adam_clipnorm", "adam", {**ADAM, "clipnorm": 0.5}),
    ("sgd_clipvalue", "gradient_descent", {"learning_rate": 0.1, "clipvalue": 0.3}),
    ("momentum_global_clipnorm", "momentum", {"learning_rate": 0.05, "momentum": 0.9, "global_clipnorm": 1.0}),
    ("sgd_weight_decay", "gradient_descent", {"learning_rate": 0.1, "weight_decay": 0.5}),
    ("sgd_loss_scale", "gradient_descent", {"learning_rate": 0.1, "loss_scale_factor": 8.0}),
    ("adam_accumulation_3", "adam", {**ADAM, "gradient_accumulation_steps": 3, "clipnorm": 0.5}),
    ("adam_exponential_decay", "adam", {**ADAM, "schedule": (0.05, 3, 0.5)}),
    # Keras 3's other optimizers (issue 15) and torch's epsilon placement and AdamW decay.
    ("adadelta", "adadelta", {"learning_rate": 1.0, "rho": 0.8, "epsilon": 1e-6}),
    ("adadelta_weight_decay", "adadelta", {"learning_rate": 0.5, "rho": 0.95, "epsilon": 1e-7, "weight_decay": 0.1}),
    ("adafactor", "adafactor", {"learning_rate": 0.5, "beta_2_decay": -0.8, "epsilon_1": 1e-30, "epsilon_2": 1e-3,
                                "clip_threshold": 1.0, "relative_step": True}),
    ("adafactor_absolute_step", "adafactor", {"learning_rate": 0.05, "beta_2_decay": -0.65, "epsilon_1": 1e-15,
                                              "epsilon_2": 1e-4, "clip_threshold": 0.9, "relative_step": False}),
    ("ftrl", "ftrl", {"learning_rate": 0.05, "learning_rate_power": -0.5, "initial_accumulator_value": 0.1,
                      "l1_regularization_strength": 0.0, "l2_regularization_strength": 0.0,
                      "l2_shrinkage_regularization_strength": 0.0, "beta": 0.0}),
    ("ftrl_regularized", "ftrl", {"learning_rate": 0.05, "learning_rate_power": -0.2, "initial_accumulator_value": 0.4,
                                  "l1_regularization_strength": 0.05, "l2_regularization_strength": 0.15,
                                  "l2_shrinkage_regularization_strength": 0.01, "beta": 0.3}),
    ("lamb", "lamb", {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    ("lamb_weight_decay", "lamb", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.67, "epsilon": 1e-5,
                                   "weight_decay": 0.01}),
    ("rmsprop_pytorch_epsilon", "rmsprop", {"learning_rate": 0.01, "rho": 0.99, "momentum": 0.0, "epsilon": 1e-8,
                                            "epsilon_placement": "pytorch"}),
    ("rmsprop_pytorch_centered_momentum", "rmsprop",
     {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "epsilon": 1e-8, "centered": True,
      "epsilon_placement": "pytorch"}),
    ("adagrad_pytorch_epsilon", "adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.0, "epsilon": 1e-10,
                                            "epsilon_placement": "pytorch"}),
    ("adamw_pytorch", "adamw", {**ADAM, "epsilon": 1e-8, "weight_decay": 0.01, "epsilon_placement": "pytorch"}),
]


TORCH_STEPS = 200
# name, xgrad kind, xgrad options (Keras spelling), torch.optim class name, its arguments.
# The learning rate torch gets is xgrad's float32 one widened to double.
TORCH_CASES = [
    ("adamw", "adamw", {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "weight_decay": 0.05},
     "AdamW", {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.05}),
    ("adamw_amsgrad", "adamw", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6,
                                "weight_decay": 0.1, "amsgrad": True},
     "AdamW", {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True}),
    ("adam", "adam", {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8},
     "Adam", {"betas": (0.9, 0.999), "eps": 1e-8}),
    ("rmsprop", "rmsprop", {"learning_rate": 0.01, "rho": 0.99, "epsilon": 1e-8},
     "RMSprop", {"alpha": 0.99, "eps": 1e-8}),
    ("rmsprop_centered_momentum", "rmsprop", {"learning_rate": 0.005, "rho": 0.9, "epsilon": 1e-8, "momentum": 0.5,
                                              "centered": True},
     "RMSprop", {"alpha": 0.9, "eps": 1e-8, "momentum": 0.5, "centered": True}),
    ("adagrad", "adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.0, "epsilon": 1e-10},
     "Adagrad", {"initial_accumulator_value": 0.0, "eps": 1e-10}),
]


def torch_main():
    import torch

    torch.set_num_threads(1)
    print("# Generated by tests/optim/golden/generate.py --torch (torch " + torch.__version__ + "); do not edit.")
    print("# case <name> <kind> float32, options key=value... (epsilon_placement=pytorch_cpu), then per step: step <k> <w...>")
    for name, kind, opts, cls, args in TORCH_CASES:
        w = [torch.tensor(x, dtype=torch.float32, requires_grad=True) for x in W0]
        a = [torch.tensor(x, dtype=torch.float32) for x in A]
        c = [torch.tensor(x, dtype=torch.float32) for x in C]
        lr = float(np.float32(opts["learning_rate"]))
        opt = getattr(torch.optim, cls)(w, lr=lr, **args)
        print(f"case {name} {kind} float32")
        print("options " + " ".join(f"{k}={v}" for k, v in opts.items()) + " epsilon_placement=pytorch_cpu")
        for k in range(1, TORCH_STEPS + 1):
            with torch.no_grad():
                for wi, ai, ci in zip(w, a, c):
                    wi.grad = ai * (wi - ci)
            opt.step()
            values = np.concatenate([wi.detach().numpy().ravel() for wi in w])
            print(f"step {k} " + " ".join(fmt(x) for x in values))
    print("end")


def fmt(x):
    return repr(float(x))


def main():
    print("# Generated by tests/optim/golden/generate.py; do not edit.")
    print("# case <name> <kind> <dtype>, options key=value..., then per step: step <k> <w0...> <w1...>")
    for name, kind, opts in CASES:
        for dt, label in ((np.float32, "float32"), (np.float64, "float64")):
            run = Run(dt, opts)
            run.kind = kind
            print(f"case {name} {kind} {label}")
            parts = []
            for k, v in opts.items():
                if k == "schedule":
                    parts.append("schedule=" + ":".join(str(x) for x in v))
                else:
                    parts.append(f"{k}={v}")
            print("options " + " ".join(parts))
            with np.errstate(all="raise"):
                for k in range(1, STEPS + 1):
                    run.step()
                    values = np.concatenate([w.ravel() for w in run.w])
                    print(f"step {k} " + " ".join(fmt(x) for x in values))
    print("end")


if __name__ == "__main__":
    torch_main() if sys.argv[1:] == ["--torch"] else main()
