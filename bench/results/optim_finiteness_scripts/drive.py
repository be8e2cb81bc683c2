"""Interleaves optimizer commands between the main build (before) and this branch (after)."""
import os, statistics, subprocess, sys
REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
BEFORE = "/tmp/finite_exp/xgrad_bench_base"
AFTER = "/tmp/finite_exp/xgrad_bench_finite"
env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
def server(path):
    return subprocess.Popen([path, "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
b, a = server(BEFORE), server(AFTER)
def run(p, cmd):
    p.stdin.write(cmd + "\n"); p.stdin.flush()
    line = p.stdout.readline()
    return dict(kv.split("=", 1) for kv in line.split()[1:])
rows = []
for tensors in [1, 100]:
    for t in [1, 2]:
        base = f"optim opt=adam n=1e7 tensors={tensors} threads={t} reps=10"
        cmds = {"before lib (constant g)": (b, base + " impl=lib"),
                "after lib grad=constant": (a, base + " impl=lib"),
                "after lib grad=produced": (a, base + " impl=lib grad=produced"),
                "after lib-unchecked grad=produced": (a, base + " impl=lib-unchecked grad=produced"),
                "before lib-unchecked": (b, base + " impl=lib-unchecked"),
                "ref": (a, base + " impl=ref"),
                "triad": (a, f"triad n=1e7 threads={t} reps=10")}
        s = {k: [] for k in cmds}
        for _ in range(REPS):
            for k, (p, c) in cmds.items():
                s[k].append(run(p, c))
        print(f"adam 1e7 params in {tensors} tensor(s), threads={t}, {REPS} interleaved reps (median of per-command medians):")
        for k, v in s.items():
            ms = statistics.median(float(x["ms"]) for x in v)
            extra = f" faults/step {statistics.median(float(x.get('faults_per_step', 'nan')) for x in v):.1f}" if "faults_per_step" in v[0] else ""
            print(f"  {k:36s} {ms:7.2f} ms  {statistics.median(float(x['gbps']) for x in v):6.1f} GB/s{extra}")
        sys.stdout.flush()
b.stdin.close(); a.stdin.close(); b.wait(); a.wait()
