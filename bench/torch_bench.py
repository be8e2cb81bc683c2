#!/usr/bin/python3
"""The PyTorch side of bench/compare.sh (run with /usr/bin/python3, which has python3-torch).

    torch_bench.py <workload> key=value ...   one workload, one result line
    torch_bench.py serve                      commands from stdin, one per line

Workloads mirror xgrad_bench: optim, tutorial, mlp, conv, cnn, tiny_mlp. Result lines read
"result key=value ...". optim takes foreach=0|1 (torch's single-tensor or
multi-tensor Adam/SGD implementation). mlp and cnn take init=DIR (written by
xgrad_bench mlp_init / cnn_init): start from xgrad's initial weights and use its
per-epoch batch order, so both sides train the same model on the same batches
(cnn also takes dropout=R, dropout=0 removing the remaining randomness, and opt=sgd).
"""
import gzip
import os
import statistics
import sys
import time

import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist"


def result(**kv):
    print("result " + " ".join(f"{k}={v}" for k, v in kv.items()), flush=True)


def time_median(warmup, reps, fn):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def split(n, parts):
    sizes = [n // parts] * parts
    sizes[-1] += n % parts
    return sizes


def run_optim(o):
    opt, n, tensors = o.get("opt", "adam"), int(float(o.get("n", 1e7))), int(o.get("tensors", 1))
    threads, reps, foreach = int(o.get("threads", 1)), int(o.get("reps", 10)), o.get("foreach", "0") == "1"
    torch.set_num_threads(threads)
    params = [torch.full((s,), 0.5, requires_grad=True) for s in split(n, tensors)]
    for p in params:
        p.grad = torch.full_like(p, 1e-3)
    if opt == "adam":
        optimizer = torch.optim.Adam(params, lr=1e-3, eps=1e-7, foreach=foreach)
    else:
        optimizer = torch.optim.SGD(params, lr=1e-3, momentum=0.9, foreach=foreach)
    sec = time_median(2, reps, optimizer.step)
    nbytes = 28 if opt == "adam" else 20
    result(workload="optim", opt=opt, impl="foreach" if foreach else "single", tensors=tensors,
           threads=threads, n=n, ms=sec * 1e3, gbps=nbytes * n / sec / 1e9)


def run_tutorial(o):
    opt, iters, reps = o.get("opt", "gd"), int(o.get("iters", 2000)), int(o.get("reps", 3))
    lr = float(o.get("lr", 1e-3))
    torch.set_num_threads(1)
    final = [0.0]

    def loop():
        x = torch.tensor(2.0, requires_grad=True)
        optimizer = (torch.optim.SGD([x], lr=lr) if opt == "gd"
                     else torch.optim.Adam([x], lr=lr, betas=(0.9, 0.999), eps=1e-7))
        for _ in range(iters):
            optimizer.zero_grad()
            y = 2 * x ** 4 + 3 * x ** 3 + 2
            y.backward()
            optimizer.step()
        final[0] = x.item()

    cpu = []

    def timed_loop():
        start = time.process_time()
        loop()
        cpu.append(time.process_time() - start)

    sec = time_median(1, reps, timed_loop)
    result(workload="tutorial", opt=opt, iters=iters, us_per_iter=sec * 1e6 / iters, x=final[0],
           cpu_us_per_iter=statistics.median(cpu[1:]) * 1e6 / iters)


class Lcg:
    """xgrad_bench's tiny_mlp generator (bench/bench_small.cpp), bit for bit: a 64-bit LCG
    (MMIX constants) whose top 24 bits are u in [0, 1); uniform = lo + (hi - lo) u in
    double, rounded to float32 once."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.state >> 40) / 16777216.0

    def uniform(self, lo, hi, n):
        return np.array([lo + (hi - lo) * self.next() for _ in range(n)], dtype=np.float32)


def tiny_mlp_data():
    """x (8, 2) in [-1, 1), y = sin(x0) + x1^2 (in double), Glorot-uniform kernels (in, out), in
    that order from Lcg(17), zero biases: the arrays xgrad_bench tiny_mlp starts from."""
    import math
    lcg = Lcg(17)
    x = lcg.uniform(-1.0, 1.0, 16).reshape(8, 2)
    y = np.array([[math.sin(float(r[0])) + float(r[1]) * float(r[1])] for r in x], dtype=np.float32)
    kernels = []
    for fan_in, fan_out in [(2, 16), (16, 16), (16, 1)]:
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        kernels.append(lcg.uniform(-limit, limit, fan_in * fan_out).reshape(fan_in, fan_out))
    return x, y, kernels


def run_tiny_mlp(o):
    """One Adam step (forward + backward + update) of a 2-16-16-1 tanh MLP on batch 8, MSE, the
    idiomatic torch loop: nn.Sequential of Linear/Tanh, F.mse_loss, torch.optim.Adam(lr 1e-3,
    eps 1e-7). torch's Adam adds eps to sqrt(v) / sqrt(1 - beta_2^t), Keras's (xgrad's default) to
    sqrt(v): the losses agree only roughly with xgrad's default, and to float32 rounding with
    xgrad_bench tiny_mlp adam=torch (epsilon_placement PyTorchCPU). Each rep starts over from the
    same weights and a fresh optimizer (untimed); losses as xgrad_bench: first and last step's."""
    steps, reps = int(o.get("steps", 1000)), int(o.get("reps", 5))
    torch.set_num_threads(1)
    x_np, y_np, kernels = tiny_mlp_data()
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    nn = torch.nn
    losses = [0.0, 0.0]

    def setup():
        model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
        with torch.no_grad():
            for layer, kernel in zip([m for m in model if isinstance(m, nn.Linear)], kernels):
                layer.weight.copy_(torch.from_numpy(kernel.T.copy()))
                layer.bias.zero_()
        return model, torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    times, cpu = [], []
    for r in range(reps + 1):  # the first run is a warm-up
        model, optimizer = setup()
        start, cpu_start = time.perf_counter(), time.process_time()
        for i in range(steps):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            if i == 0:
                first = loss.item()
        sec, cpu_sec = time.perf_counter() - start, time.process_time() - cpu_start
        losses = [first, loss.item()]
        if r > 0:
            times.append(sec)
            cpu.append(cpu_sec)
    result(workload="tiny_mlp", impl="torch", steps=steps, us_per_step=statistics.median(times) * 1e6 / steps,
           cpu_us_per_step=statistics.median(cpu) * 1e6 / steps, first_loss=f"{losses[0]:.9g}", loss=f"{losses[1]:.9g}")


def load_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        data = f.read()
    if name.endswith("labels-idx1-ubyte.gz"):
        return torch.from_numpy(np.frombuffer(data, np.uint8, offset=8).astype(np.int64))
    images = np.frombuffer(data, np.uint8, offset=16).reshape(-1, 784)
    return torch.from_numpy(images.astype(np.float32) / np.float32(255))


def peak_rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def load_initial_weights(model, directory):
    """Copies an xgrad save_weights checkpoint (manifest.txt + one .npy per parameter,
    kernels (in, out), in layer order) into the nn.Linear layers (weight (out, in))."""
    with open(os.path.join(directory, "manifest.txt")) as f:
        files = [line.split()[1] for line in f.read().splitlines()[1:] if line.strip()]
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    assert len(files) == 2 * len(linears), (files, linears)
    with torch.no_grad():
        for layer, kernel, bias in zip(linears, files[0::2], files[1::2]):
            assert kernel.endswith("kernel.npy") and bias.endswith("bias.npy"), (kernel, bias)
            layer.weight.copy_(torch.from_numpy(np.load(os.path.join(directory, kernel)).T.copy()))
            layer.bias.copy_(torch.from_numpy(np.load(os.path.join(directory, bias))))


def run_mlp(o):
    hidden = [int(h) for h in o.get("hidden", "128").split(",")]
    batch, epochs = int(o.get("batch", 32)), int(o.get("epochs", 1))
    threads = int(o.get("threads", 1))
    torch.set_num_threads(threads)
    torch.manual_seed(int(o.get("seed", 0)))
    x_train, y_train = load_idx("train-images-idx3-ubyte.gz"), load_idx("train-labels-idx1-ubyte.gz")
    x_test, y_test = load_idx("t10k-images-idx3-ubyte.gz"), load_idx("t10k-labels-idx1-ubyte.gz")
    layers, width = [], 784
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    model = torch.nn.Sequential(*layers, torch.nn.Linear(width, 10))
    init = o.get("init")
    orders = None
    if init:  # like-for-like with xgrad: its initial weights and its per-epoch batch order (mlp_init)
        load_initial_weights(model, os.path.join(init, "weights"))
        orders = [torch.from_numpy(np.load(os.path.join(init, f"perm_{e}.npy"))) for e in range(epochs)]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    epoch_times = []
    for epoch in range(epochs):
        start = time.perf_counter()
        order = orders[epoch] if orders else torch.randperm(len(x_train))
        for i in range(0, len(x_train), batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
        epoch_times.append(time.perf_counter() - start)
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    result(workload="mlp", hidden=",".join(map(str, hidden)), batch=batch, threads=threads,
           sec_per_epoch=statistics.median(epoch_times), accuracy=accuracy, loss=loss.item(),
           peak_rss_mib=peak_rss_kib() / 1024)


def run_conv(o):
    """Forward + backward of one Conv2D(f, 3x3, relu) of the convnet (as xgrad_bench conv):
    layer 1 (64, 1, 28, 28) -> 32, layer 2 (64, 32, 13, 13) -> 64 (NCHW, torch's layout);
    the input gradient only for layer 2."""
    layer, threads, reps = int(o.get("layer", 1)), int(o.get("threads", 1)), int(o.get("reps", 20))
    torch.set_num_threads(threads)
    cin, hw, f = (1, 28, 32) if layer == 1 else (32, 13, 64)
    x = torch.rand(64, cin, hw, hw, requires_grad=layer == 2)
    conv = torch.nn.Conv2d(cin, f, 3)

    def step():
        conv.zero_grad()
        if x.grad is not None:
            x.grad = None
        torch.relu(conv(x)).sum().backward()

    sec = time_median(3, reps, step)
    result(workload="conv", layer=layer, threads=threads, ms=sec * 1e3, peak_rss_mib=peak_rss_kib() / 1024)


def load_initial_cnn_weights(model, directory):
    """Copies xgrad_bench cnn_init's save_weights checkpoint into the convnet: Conv2D kernels
    (kh, kw, cin, cout) -> Conv2d weight (cout, cin, kh, kw); the Dense kernel (1600, 10) reads
    xgrad's channels_last flatten (h, w, c), torch's Flatten is (c, h, w), so its rows are
    permuted to match, then transposed to Linear's (out, in)."""
    with open(os.path.join(directory, "manifest.txt")) as f:
        files = [line.split()[1] for line in f.read().splitlines()[1:] if line.strip()]
    arrays = [np.load(os.path.join(directory, name)) for name in files]
    convs = [m for m in model if isinstance(m, torch.nn.Conv2d)]
    linear = [m for m in model if isinstance(m, torch.nn.Linear)]
    assert len(arrays) == 6 and len(convs) == 2 and len(linear) == 1, files
    with torch.no_grad():
        for layer, kernel, bias in zip(convs, arrays[0:4:2], arrays[1:4:2]):
            assert kernel.ndim == 4 and bias.ndim == 1, (kernel.shape, bias.shape)
            layer.weight.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
            layer.bias.copy_(torch.from_numpy(bias))
        kernel = arrays[4].reshape(5, 5, 64, 10).transpose(2, 0, 1, 3).reshape(1600, 10)
        linear[0].weight.copy_(torch.from_numpy(kernel.T.copy()))
        linear[0].bias.copy_(torch.from_numpy(arrays[5]))


def run_cnn(o):
    """One epoch of examples/cnn_fashion_mnist.cpp's convnet, batch 64, Adam (lr 1e-3, eps 1e-7).
    init=DIR (xgrad_bench cnn_init): xgrad's initial weights and per-epoch batch order;
    dropout=R (default 0.5); opt=sgd: plain SGD, lr 0.05 (as xgrad_bench cnn opt=sgd);
    losses=FILE: the running mean of the loss (weighted by batch rows, as fit's batch logs)
    after each batch, one a line."""
    threads, epochs = int(o.get("threads", 1)), int(o.get("epochs", 1))
    dropout = float(o.get("dropout", 0.5))
    torch.set_num_threads(threads)
    torch.manual_seed(int(o.get("seed", 0)))
    x_train = load_idx("train-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28)
    y_train = load_idx("train-labels-idx1-ubyte.gz")
    x_test = load_idx("t10k-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28)
    y_test = load_idx("t10k-labels-idx1-ubyte.gz")
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(dropout), nn.Linear(1600, 10))
    init = o.get("init")
    orders = None
    if init:
        load_initial_cnn_weights(model, os.path.join(init, "weights"))
        orders = [torch.from_numpy(np.load(os.path.join(init, f"perm_{e}.npy"))) for e in range(epochs)]
    if o.get("opt", "adam") == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    epoch_times, running = [], []
    for epoch in range(epochs):
        model.train()
        start = time.perf_counter()
        order = orders[epoch] if orders else torch.randperm(len(x_train))
        total, rows = 0.0, 0
        for i in range(0, len(x_train), 64):
            idx = order[i:i + 64]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            rows += len(idx)
            running.append(total / rows)
        epoch_times.append(time.perf_counter() - start)
    model.eval()
    with torch.no_grad():
        logits = model(x_test)
        accuracy = (logits.argmax(1) == y_test).float().mean().item()
        test_loss = loss_fn(logits, y_test).item()
    if o.get("losses"):
        with open(o["losses"], "w") as f:
            f.writelines(f"{v:.9g}\n" for v in running)
    result(workload="cnn", threads=threads, dropout=dropout, opt=o.get("opt", "adam"),
           sec_per_epoch=statistics.median(epoch_times), accuracy=accuracy, test_loss=test_loss, loss=running[-1],
           peak_rss_mib=peak_rss_kib() / 1024)


WORKLOADS = {"optim": run_optim, "tutorial": run_tutorial, "mlp": run_mlp, "conv": run_conv, "cnn": run_cnn,
             "tiny_mlp": run_tiny_mlp}


def run(words):
    if words:
        WORKLOADS[words[0]](dict(w.split("=", 1) for w in words[1:]))


def main():
    torch.set_num_interop_threads(1)
    if sys.argv[1:] == ["serve"]:
        for line in sys.stdin:
            try:
                run(line.split())
            except Exception as e:  # report and keep serving
                print(f"error {e!r}", flush=True)
    else:
        run(sys.argv[1:])


if __name__ == "__main__":
    main()
