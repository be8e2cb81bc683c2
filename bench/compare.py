#!/usr/bin/python3
"""Runs xgrad (build-bench/bench/xgrad_bench) and PyTorch (bench/torch_bench.py)
side by side, interleaved (xgrad, torch, xgrad, torch, ...), takes medians and
writes a markdown table to bench/results/latest.md (latest_partial.md when
XGRAD_BENCH_ONLY leaves groups out). Called by bench/compare.sh:
  compare.py XGRAD_BENCH [CONSUMER_BENCH]
CONSUMER_BENCH: the same bench built as a user's project (bench/consumer); the
adabelief rows compare a user-written optimizer built there with the in-tree build.

Environment: XGRAD_BENCH_REPS (interleaved repetitions, default 5),
XGRAD_BENCH_MLP_EPOCHS (default 1), XGRAD_BENCH_MLP_REPS (default 3),
XGRAD_BENCH_ONLY (comma list of optim,adabelief,tutorial,tiny_mlp,mlp,conv,cnn; default all),
XGRAD_BENCH_CONV_REPS (processes per conv/cnn configuration, default 3). OMP_WAIT_POLICY, OMP_NUM_THREADS,
OPENBLAS_*: passed to both sides unchanged when set (see Server and WAIT_POLICIES).
"""
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
XGRAD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build-bench", "bench", "xgrad_bench")
CONSUMER = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "build-bench", "consumer",
                                                                 "xgrad_bench_consumer")
TORCH = ["/usr/bin/python3", os.path.join(HERE, "torch_bench.py")]
REPS = int(os.environ.get("XGRAD_BENCH_REPS", 5))
MLP_EPOCHS = int(os.environ.get("XGRAD_BENCH_MLP_EPOCHS", 1))
MLP_REPS = int(os.environ.get("XGRAD_BENCH_MLP_REPS", 3))
ALL_GROUPS = ["optim", "adabelief", "tutorial", "tiny_mlp", "mlp", "conv", "cnn"]
ONLY = os.environ.get("XGRAD_BENCH_ONLY", ",".join(ALL_GROUPS)).split(",")
CONV_REPS = int(os.environ.get("XGRAD_BENCH_CONV_REPS", 3))
THREADS = [1, 2]
ENV_KEYS = ["OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OPENBLAS_L2_SIZE", "GOTO_NUM_THREADS",
            "OMP_NUM_THREADS", "OMP_PROC_BIND", "OMP_PLACES", "MKL_NUM_THREADS", "OMP_WAIT_POLICY"]


def parse(line):
    if not line.startswith("result "):
        log(f"bench process said: {line.strip()!r}")
        return None
    return dict(kv.split("=", 1) for kv in line.split()[1:])


class Server:
    """A long-lived bench process answering one command per line. The xgrad and torch
    servers live side by side and take turns on the same cores, so the idle one's
    OpenMP threads must sleep, not spin: both get OMP_WAIT_POLICY=PASSIVE unless the
    caller set a policy."""

    def __init__(self, argv):
        env = dict(os.environ)
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self.proc = subprocess.Popen(argv + ["serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env)

    def run(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return parse(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def median_of(samples, key):
    """The median of `key` over the samples; NaN if a sample failed."""
    if any(s is None for s in samples):
        return float("nan")
    return statistics.median(float(s[key]) for s in samples)


def fastest(options, time_of):
    """The option with the lowest time; a failed one (NaN) is never picked over a measured one."""
    return min(options, key=lambda o: math.inf if math.isnan(time_of(o)) else time_of(o))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def interleave(commands, reps):
    """commands: {label: (server, command)}; runs them round-robin `reps` times."""
    samples = {label: [] for label in commands}
    for _ in range(reps):
        for label, (server, command) in commands.items():
            samples[label].append(server.run(command))
    return samples


def bench_optim(xg, tc, rows):
    """Each row interleaves xgrad's library step (on constant gradients, the xgrad column; on
    gradients freshly produced by an op), the bench-local fused loop, torch's two
    implementations and a triad, so the bandwidth fraction compares like with like."""
    triads = {t: [] for t in THREADS}
    for opt in ["adam", "momentum"]:
        for tensors in [1, 100]:
            by_threads = {}
            for t in THREADS:
                base = f"optim opt={opt} n=1e7 tensors={tensors} threads={t} reps=10"
                s = interleave({"xgrad": (xg, base + " impl=lib"), "unchecked": (xg, base + " impl=lib-unchecked"),
                                "produced": (xg, base + " impl=lib grad=produced"),
                                "ref": (xg, base + " impl=ref"),
                                "single": (tc, base + " foreach=0"), "foreach": (tc, base + " foreach=1"),
                                "triad": (xg, f"triad n=1e7 threads={t} reps=10")}, REPS)
                triads[t] += s["triad"]
                ms = {k: median_of(v, "ms") for k, v in s.items()}
                gbps, triad = median_of(s["xgrad"], "gbps"), median_of(s["triad"], "gbps")
                best = fastest(("single", "foreach"), lambda k: ms[k])
                by_threads[t] = (ms["xgrad"], ms[best], best)
                rows.append([f"{opt} step, 1e7 params in {tensors} tensor{'s' if tensors > 1 else ''}", t,
                             f"{ms['xgrad']:.2f} ms ({gbps:.1f} GB/s = {gbps / triad:.2f} of triad)",
                             f"{ms[best]:.2f} ms ({best})", f"{ms[best] / ms['xgrad']:.2f}x",
                             f"triad {triad:.1f} GB/s; xgrad on constant gradients (no recorded finiteness: the "
                             f"NaN-gradient check reads them); on gradients produced by an op each step (finiteness "
                             f"recorded by the kernel, the check reads nothing) {ms['produced']:.2f} ms; "
                             f"without the NaN-gradient check (on_nan_gradient=apply, "
                             f"as Keras and torch) {ms['unchecked']:.2f} ms; bench-local fused loop {ms['ref']:.2f} ms; torch "
                             f"{'foreach' if best == 'single' else 'single'} {ms['foreach' if best == 'single' else 'single']:.2f} ms"])
                log(rows[-1])
            # The targets compare with "PyTorch's best configuration": each side at its fastest
            # thread count (and torch at its fastest implementation), from the rows above.
            bx = fastest(THREADS, lambda t: by_threads[t][0])
            bt = fastest(THREADS, lambda t: by_threads[t][1])
            rows.append([f"{opt} step, 1e7 params in {tensors} tensor{'s' if tensors > 1 else ''}, "
                         "each at its best configuration", f"{bx} / {bt}", f"{by_threads[bx][0]:.2f} ms",
                         f"{by_threads[bt][1]:.2f} ms ({by_threads[bt][2]})",
                         f"{by_threads[bt][1] / by_threads[bx][0]:.2f}x", "from the rows above, one per thread count"])
            log(rows[-1])
    for t in THREADS:
        rows.append(["STREAM triad a=b+s*c, 1e7 floats (C++), all rows' samples", t,
                     f"{median_of(triads[t], 'ms'):.2f} ms ({median_of(triads[t], 'gbps'):.1f} GB/s)", "", "",
                     "12 B/element; Adam counts 28 B/param (reads w,g,m,v, writes w,m,v), momentum 20 B"])


def bench_adabelief(xg, xc, rows):
    """A user-written optimizer (examples/adabelief.hpp) built as a consumer's code
    (bench/consumer: the installed package, no flags of its own) against the same
    source built in-tree (bench/CMakeLists.txt, -fno-math-errno as the library);
    torch has no AdaBelief. Interleaved with a triad, as the optimizer rows."""
    for tensors in [1, 100]:
        for t in THREADS:
            base = f"optim opt=adabelief n=1e7 tensors={tensors} threads={t} reps=10 impl=lib"
            s = interleave({"consumer": (xc, base), "in-tree": (xg, base),
                            "triad": (xg, f"triad n=1e7 threads={t} reps=10")}, REPS)
            ms = {k: median_of(v, "ms") for k, v in s.items()}
            gbps, triad = median_of(s["consumer"], "gbps"), median_of(s["triad"], "gbps")
            rows.append([f"adabelief step (user-written, examples/adabelief.hpp), 1e7 params in {tensors} "
                         f"tensor{'s' if tensors > 1 else ''}, built by a consumer project", t,
                         f"{ms['consumer']:.2f} ms ({gbps:.1f} GB/s = {gbps / triad:.2f} of triad)",
                         "n/a (no AdaBelief)", "",
                         f"built in-tree (-fno-math-errno) {ms['in-tree']:.2f} ms: consumer / in-tree "
                         f"{ms['consumer'] / ms['in-tree']:.2f}; triad {triad:.1f} GB/s"])
            log(rows[-1])


def bench_tutorial(xg, tc, rows):
    """Both optimizers in one interleaved loop, so a slow spell of the machine falls on
    both rows and both sides alike. The hand-written scalar tape (xgrad_bench tutorial_hand,
    bench/bench_small.cpp: the same ops, sweep and update in plain C++) gets its own row per
    optimizer, with the ratio xgrad / hand (issue 17's target: at most 3x). A third row,
    tutorial_untaped, runs the same tensor ops and step with no tape: the floor the tensor
    type itself sets, which the tape's bookkeeping sits on."""
    opts = ["gd", "adam"]
    commands = {}
    for opt in opts:
        cmd = f"tutorial opt={opt} iters=2000 reps=3"
        commands[("xgrad", opt)] = (xg, cmd)
        commands[("torch", opt)] = (tc, cmd)
        commands[("hand", opt)] = (xg, "tutorial_hand" + cmd[len("tutorial"):])
        commands[("untaped", opt)] = (xg, "tutorial_untaped" + cmd[len("tutorial"):])
    s = interleave(commands, 2 * REPS + 1)  # cheap rows: more samples against this VM's slow spells
    who_all = ("xgrad", "torch", "hand", "untaped")
    for opt in opts:
        us = {who: median_of(s[(who, opt)], "us_per_iter") for who in who_all}
        cpu = {who: median_of(s[(who, opt)], "cpu_us_per_iter") for who in who_all}
        finals = {who: s[(who, opt)][0] for who in who_all}
        name = f"tutorial loop 2x^4+3x^3+2, {opt}, 2000 iterations"
        rows.append([name, 1, f"{us['xgrad']:.2f} us/iter",
                     f"{us['torch']:.2f} us/iter", f"{us['torch'] / us['xgrad']:.1f}x",
                     f"xgrad is {us['xgrad'] / us['hand']:.1f}x the hand tape; final x: " +
                     ", ".join(f"{k} {float(v['x']):.9g}" for k, v in finals.items() if v) +
                     f"; CPU time xgrad {cpu['xgrad']:.2f}, torch {cpu['torch']:.2f} us/iter"])
        log(rows[-1])
        rows.append([name + ", hand-written C++ scalar tape (reference)", 1, f"{us['hand']:.3f} us/iter (hand)",
                     f"{us['torch']:.2f} us/iter", f"{us['torch'] / us['hand']:.1f}x",
                     f"xgrad / hand = {us['xgrad'] / us['hand']:.2f}x (issue 17 target: <= 3x); in CPU time "
                     f"{cpu['hand']:.3f} us/iter, xgrad / hand {cpu['xgrad'] / cpu['hand']:.2f}x; "
                     "bench/bench_small.cpp tutorial_hand"])
        log(rows[-1])
        tensors = finals["untaped"].get("tensors_per_iter", "?") if finals["untaped"] else "?"
        if finals["untaped"] and finals["xgrad"]:
            # tutorial_untaped runs the tape's tensor ops by hand: the same final x, the same tensor count.
            for key in ("x", "tensors_per_iter"):
                if finals["untaped"].get(key) != finals["xgrad"].get(key):
                    log(f"WARNING: tutorial_untaped {opt}: {key} {finals['untaped'].get(key)} differs from "
                        f"the tutorial's {finals['xgrad'].get(key)}")
        rows.append([name + ", xgrad's tensor ops and step with no tape (the floor)", 1,
                     f"{us['untaped']:.3f} us/iter (no tape)", f"{us['torch']:.2f} us/iter",
                     f"{us['torch'] / us['untaped']:.1f}x",
                     f"untaped / hand = {us['untaped'] / us['hand']:.2f}x, the tape's share of xgrad's time "
                     f"{1 - us['untaped'] / us['xgrad']:.0%}; {tensors} tensors per iteration; "
                     "bench/bench_library.cpp tutorial_untaped"])
        log(rows[-1])


def bench_tiny_mlp(xg, tc, rows):
    """One Adam step (forward, backward, update) of a 2-16-16-1 tanh MLP, batch 8, MSE, all four
    implementations interleaved, from the same data and initial weights (bench_small.cpp's LCG,
    repeated by torch_bench.py): xgrad's tape loop (matmul, tanh, GradientTape, Adam), xgrad's
    Sequential + train_on_batch, torch (nn.Sequential, torch.optim.Adam) and a hand-written C++
    loop (its tanh xsimd's, as xt::tanh in xgrad; hand_std: libm's scalar std::tanh). xgrad and the hand loop run Keras's Adam, torch its own (epsilon placed differently):
    one extra, untimed-for-the-table run of the tape with adam=torch (epsilon_placement
    PyTorchCPU) shows the final loss torch's update gives in xgrad."""
    base = "tiny_mlp steps=1000 reps=5"
    commands = {"tape": (xg, base + " impl=tape"), "model": (xg, base + " impl=model"),
                "torch": (tc, base), "hand": (xg, base + " impl=hand"),
                "hand_std": (xg, base + " impl=hand tanh=std")}
    s = interleave(commands, REPS)
    check = xg.run("tiny_mlp steps=1000 reps=1 impl=tape adam=torch")
    us = {k: median_of(v, "us_per_step") for k, v in s.items()}
    cpu = {k: median_of(v, "cpu_us_per_step") for k, v in s.items()}
    loss = {k: (v[0] or {}).get("loss", "nan") for k, v in s.items()}
    first = {k: (v[0] or {}).get("first_loss", "nan") for k, v in s.items()}
    name = "tiny MLP 2-16-16-1 tanh, batch 8, MSE, Adam: one step"
    losses = ("final loss (1000 steps): " + ", ".join(f"{k} {loss[k]}" for k in commands) +
              f"; xgrad tape with torch's Adam (epsilon_placement PyTorchCPU) {(check or {}).get('loss', 'nan')}; "
              f"first-step loss " + ", ".join(f"{k} {first[k]}" for k in commands))
    for key, what in [("tape", "xgrad GradientTape loop"), ("model", "xgrad Sequential + train_on_batch")]:
        rows.append([f"{name}, {what}", 1, f"{us[key]:.2f} us/step", f"{us['torch']:.2f} us/step",
                     f"{us['torch'] / us[key]:.1f}x",
                     f"{key} / hand = {us[key] / us['hand']:.1f}x (issue 17 target: <= 3x); CPU time {cpu[key]:.2f} "
                     f"us/step, / hand {cpu[key] / cpu['hand']:.1f}x, torch {cpu['torch']:.2f}" +
                     (f"; {losses}" if key == "tape" else "")])
        log(rows[-1])
    rows.append([f"{name}, hand-written C++ loop (reference)", 1, f"{us['hand']:.3f} us/step (hand)",
                 f"{us['torch']:.2f} us/step", f"{us['torch'] / us['hand']:.1f}x",
                 f"plain float32 loops, no BLAS, xsimd::tanh; CPU time {cpu['hand']:.3f} us/step; with libm's scalar "
                 f"std::tanh {us['hand_std']:.3f} us/step (CPU {cpu['hand_std']:.3f}); "
                 "bench/bench_small.cpp tiny_mlp impl=hand"])
    log(rows[-1])


def run_process(argv, threads, wait_policy=None):
    env = dict(os.environ)
    for key in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"]:
        env.setdefault(key, str(threads))  # respect the caller's settings
    if wait_policy is not None:
        env["OMP_WAIT_POLICY"] = wait_policy
    try:
        out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, text=True, check=True, timeout=600).stdout
    except subprocess.SubprocessError as e:
        log(f"{argv[0]}: {e}")
        return None
    return parse(out.strip().splitlines()[-1])


def bench_mlp(rows):
    """Like for like: per row, xgrad_bench mlp_init writes the initial weights (glorot-uniform
    kernels, zero biases, from xgrad's seeded generator) and fit's per-epoch permutations into a
    temporary directory; both sides load them (init=DIR), outside their timed regions, so they
    train the same model on the same batches in the same order."""
    for hidden, batch in [("128", 32), ("128", 128), ("512,512", 128)]:
        with tempfile.TemporaryDirectory(prefix="xgrad-mlp-") as init:
            if run_process([XGRAD, "mlp_init", f"hidden={hidden}", f"epochs={MLP_EPOCHS}", f"dir={init}"], 1) is None:
                raise RuntimeError("xgrad_bench mlp_init failed")
            bench_mlp_row(rows, hidden, batch, init)


# An MLP run is one process at a time, so OpenMP's wait policy is free to choose: it is
# part of the thread configuration, measured for both sides like the thread count
# (libgomp's default spins briefly before sleeping; PASSIVE sleeps at once, which costs
# a wake-up per parallel region; spinning threads of torch and OpenBLAS oversubscribe).
# A policy set by the caller is the only one tried.
WAIT_POLICIES = [os.environ["OMP_WAIT_POLICY"]] if "OMP_WAIT_POLICY" in os.environ else ["default", "PASSIVE"]
CONFIGS = [(t, w) for t in THREADS for w in WAIT_POLICIES]


def config_name(config):
    t, w = config
    return f"t{t}" if len(WAIT_POLICIES) == 1 else f"t{t} {w}"


def bench_mlp_row(rows, hidden, batch, init):
    args = ["mlp", f"hidden={hidden}", f"batch={batch}", f"epochs={MLP_EPOCHS}", f"init={init}"]
    samples = {(who, c): [] for who in ("xgrad", "torch") for c in CONFIGS}
    for _ in range(MLP_REPS):
        for c in CONFIGS:
            t, w = c
            policy = None if w == "default" else w
            samples[("xgrad", c)].append(run_process([XGRAD] + args + [f"threads={t}"], t, policy))
            samples[("torch", c)].append(run_process(TORCH + args + [f"threads={t}"], t, policy))
    sec = {k: median_of(v, "sec_per_epoch") for k, v in samples.items()}
    bx = fastest(CONFIGS, lambda c: sec[("xgrad", c)])
    bt = fastest(CONFIGS, lambda c: sec[("torch", c)])
    acc = {w: median_of(samples[(w, b)], "accuracy") * 100 for w, b in (("xgrad", bx), ("torch", bt))}
    mem = {w: median_of(samples[(w, b)], "peak_rss_mib") for w, b in (("xgrad", bx), ("torch", bt))}
    name = f"MLP 784-{hidden.replace(',', '-')}-10, batch {batch}, {MLP_EPOCHS} epoch"
    same = fastest(CONFIGS, lambda c: sec[("torch", c)] / sec[("xgrad", c)])  # xgrad's worst ratio
    rows.append([name + " (s/epoch)", f"{config_name(bx)} / {config_name(bt)}", f"{sec[('xgrad', bx)]:.3f} s",
                 f"{sec[('torch', bt)]:.3f} s", f"{sec[('torch', bt)] / sec[('xgrad', bx)]:.2f}x",
                 "all: " + ", ".join(f"{w} {config_name(c)} {sec[(w, c)]:.3f}" for w, c in sec) +
                 f"; lowest same-configuration ratio {sec[('torch', same)] / sec[('xgrad', same)]:.2f}x ({config_name(same)})"])
    where = f"{config_name(bx)} / {config_name(bt)}"
    rows.append([name + " test accuracy", where, f"{acc['xgrad']:.2f}%", f"{acc['torch']:.2f}%",
                 f"{acc['xgrad'] - acc['torch']:+.2f} pts",
                 "same initial weights and batch order on both sides"])
    rows.append([name + " peak RSS (VmHWM)", where, f"{mem['xgrad']:.0f} MiB",
                 f"{mem['torch']:.0f} MiB", f"{mem['torch'] / mem['xgrad']:.2f}x", "lower is better"])
    log(rows[-3:])


def bench_conv(rows, workload):
    """conv: forward + backward of each of the convnet's two Conv2D layers; cnn: one epoch of the
    convnet. One process per sample, interleaved (xgrad, torch) per thread count, so peak RSS is
    each process's own; each side at 1 and 2 threads (and both wait policies, as the MLP rows)."""
    cases = [("conv", ["conv", "layer=1", "reps=20"], "Conv2D(32, 3x3, relu) on (64,28,28,1), forward+backward"),
             ("conv", ["conv", "layer=2", "reps=20"], "Conv2D(64, 3x3, relu) on (64,13,13,32), forward+backward (incl. input grad)"),
             ("cnn", ["cnn", "epochs=1"], "CNN epoch (examples/cnn_fashion_mnist.cpp), 60,000 images, batch 64")]
    for kind, args, name in cases:
        if kind != workload:
            continue
        key = "ms" if kind == "conv" else "sec_per_epoch"
        samples = {(who, c): [] for who in ("xgrad", "torch") for c in CONFIGS}
        for _ in range(CONV_REPS if kind == "conv" else 1):
            for c in CONFIGS:
                t, w = c
                policy = None if w == "default" else w
                samples[("xgrad", c)].append(run_process([XGRAD] + args + [f"threads={t}"], t, policy))
                samples[("torch", c)].append(run_process(TORCH + args + [f"threads={t}"], t, policy))
        val = {k: median_of(v, key) for k, v in samples.items()}
        unit = "ms" if kind == "conv" else "s"
        for t in THREADS:
            cs = [c for c in CONFIGS if c[0] == t]
            bx = fastest(cs, lambda c: val[("xgrad", c)])
            bt = fastest(cs, lambda c: val[("torch", c)])
            mem = {w: median_of(samples[(w, b)], "peak_rss_mib") for w, b in (("xgrad", bx), ("torch", bt))}
            notes = "all: " + ", ".join(f"{w} {config_name(c)} {val[(w, c)]:.3f}" for w, c in val if c[0] == t)
            notes += f"; peak RSS xgrad {mem['xgrad']:.0f} MiB, torch {mem['torch']:.0f} MiB"
            if kind == "cnn":
                acc = {w: median_of(samples[(w, b)], "accuracy") * 100 for w, b in (("xgrad", bx), ("torch", bt))}
                notes += f"; test accuracy after 1 epoch xgrad {acc['xgrad']:.2f}%, torch {acc['torch']:.2f}% (own initial weights)"
            rows.append([name, t, f"{val[('xgrad', bx)]:.3f} {unit}", f"{val[('torch', bt)]:.3f} {unit}",
                         f"{val[('torch', bt)] / val[('xgrad', bx)]:.2f}x", notes])
            log(rows[-1])


def header(load):
    env = ", ".join(f"{k}={os.environ[k]}" for k in ENV_KEYS if k in os.environ) or "(none set)"
    torch_version = subprocess.run(TORCH[:1] + ["-c", "import torch; print(torch.__version__)"],
                                   stdout=subprocess.PIPE, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    return [f"# xgrad vs PyTorch ({time.strftime('%Y-%m-%d %H:%M:%S')})", "",
            f"- machine: {cpu}, {os.cpu_count()} CPUs, {platform.platform()}; load average at start: {' '.join(load)}",
            f"- PyTorch {torch_version}; threads environment: {env}",
            f"- {REPS} interleaved repetitions per row (tutorial: {2 * REPS + 1}, MLP: {MLP_REPS}), medians; speedup = torch / xgrad time "
            "(higher is better for xgrad); torch at its best implementation (single-tensor or foreach); "
            "\"best configuration\" rows and the MLP rows take each side at its fastest thread count "
            f"(MLP: and OpenMP wait policy, of {', '.join(WAIT_POLICIES)}; threads column: xgrad / torch)",
            "- optimizer, tutorial and tiny MLP rows run in two long-lived processes taking turns, with "
            f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'PASSIVE')}", ""]


def main():
    rows = []
    load_start = open("/proc/loadavg").read().split()[:3]
    xg = Server([XGRAD])
    tc = Server(TORCH) if {"optim", "tutorial", "tiny_mlp"} & set(ONLY) else None
    xc = Server([CONSUMER]) if "adabelief" in ONLY else None
    try:
        if "optim" in ONLY:
            bench_optim(xg, tc, rows)
        if "adabelief" in ONLY:
            bench_adabelief(xg, xc, rows)
        if "tutorial" in ONLY:
            bench_tutorial(xg, tc, rows)
        if "tiny_mlp" in ONLY:
            bench_tiny_mlp(xg, tc, rows)
    finally:
        for server in (xg, tc, xc):
            if server:
                server.close()
    if "mlp" in ONLY:
        bench_mlp(rows)
    for workload in ("conv", "cnn"):
        if workload in ONLY:
            bench_conv(rows, workload)
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    lines = header(load_start) + ["| workload | threads | xgrad | PyTorch | speedup | notes |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    lines += ["", f"Load average at the end: {load}", ""]
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    # A run of some groups only (XGRAD_BENCH_ONLY) must not replace the full table the README quotes.
    name = "latest.md" if set(ONLY) >= set(ALL_GROUPS) else "latest_partial.md"
    with open(os.path.join(HERE, "results", name), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
