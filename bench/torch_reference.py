#!/usr/bin/env python3
"""PyTorch side of `npm run bench:core`: the cases of the shared reference torch_maml.py (imported
unchanged: its network, tasks, adaptation, meta-step, malloc tuning and timing) on the shapes of
bench/core.ts, in one process, plus head-only adaptation (not in the reference), written the way
our head-only adaptation works: body features once, 5 SGD steps on the linear head, and the
shipped model's serving path (serve_*: frozen batch norm in eval mode, prototype head, 1 SGD
step on the head at lr 0.01, then the queries' class probabilities).

Differences from running torch_maml.py itself: adaptation and meta-step cases take different
query counts in one run (15 and 5 per class), and the reference's wait for an idle machine is
capped (--max-idle-wait, default 15 s instead of 900 s) so that a busy machine delays the
benchmark by minutes at most; `other_cores` in each result says how busy it was; and a case
stops timing after --max-seconds (90 s; at least 5 runs; `n` says how many ran), which only
matters on a busy machine, where the 2-thread reference slows down up to 15×.
Run: /usr/bin/python3 bench/torch_reference.py --reference PATH [--strided] [--malloc tuned] ...
Prints one JSON object on the last line.
"""
import argparse, functools, importlib.util, json, os, statistics, sys, time

import torch
import torch.nn.functional as F


def load_reference(path):
    spec = importlib.util.spec_from_file_location("torch_maml", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def features(x, params, strided, stats=None):
    """The reference forward without its linear head: 64 features per image. With `stats` (a
    (mean, var) per block) it is the served model's body: batch norm with frozen running moments
    (eval mode), i.e. a per-channel affine map, and no conv bias (our Conv4 defines it away, as
    batch norm cancels it); without, batch statistics."""
    for i in range(4):
        w, b, g, beta = params[4 * i: 4 * i + 4]
        mean, var = stats[i] if stats is not None else (None, None)
        x = F.conv2d(x, w, None if stats is not None else b, stride=2 if strided else 1, padding=1)
        x = F.batch_norm(x, mean, var, g, beta, training=stats is None)
        x = F.relu(x)
        if not strided:
            x = F.max_pool2d(x, 2)
    return x.mean(dim=(2, 3))


def adapt_head_only(params, task, steps, lr, strided):
    xs, ys, _, _ = task
    with torch.no_grad():
        f = features(xs, params, strided)
    w, b = (p.detach().requires_grad_() for p in params[-2:])
    for _ in range(steps):
        gw, gb = torch.autograd.grad(F.cross_entropy(F.linear(f, w, b), ys), (w, b))
        with torch.no_grad():
            w, b = (w - lr * gw).requires_grad_(), (b - lr * gb).requires_grad_()
    return w, b


def serve(params, stats, task, steps, lr, strided, queries=True):
    """What the shipped model's /adapt + /predict compute: body features of the support set once,
    the prototype head (w_c = 2 mu_c, b_c = -|mu_c|^2), `steps` SGD steps on the head alone, then
    class probabilities of the queries."""
    xs, ys, xq, _ = task
    with torch.no_grad():
        f = features(xs, params, strided, stats)
        onehot = F.one_hot(ys).float()
        means = onehot.t() @ f / onehot.sum(0).clamp(min=1)[:, None]
    w, b = (2 * means).requires_grad_(), (-(means ** 2).sum(1)).requires_grad_()
    for _ in range(steps):
        gw, gb = torch.autograd.grad(F.cross_entropy(F.linear(f, w, b), ys), (w, b))
        with torch.no_grad():
            w, b = (w - lr * gw).requires_grad_(), (b - lr * gb).requires_grad_()
    if not queries:
        return w, b
    with torch.no_grad():
        return F.softmax(F.linear(features(xq, params, strided, stats), w, b), 1)


def frozen_stats(gen):
    return [(torch.rand(64, generator=gen) * 0.2 - 0.1, torch.rand(64, generator=gen) + 0.5) for _ in range(4)]


def timed(ref, fn, reps, warmup, max_seconds, min_reps=5):
    """ref.timeit with a time cap: stops after max_seconds once min_reps runs are done (n says how many)."""
    for _ in range(warmup):
        fn()
    ts, (b0, m0), w0 = [], ref.cpu_jiffies(), time.perf_counter()
    while len(ts) < reps:
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
        if len(ts) >= min_reps and time.perf_counter() - w0 > max_seconds:
            break
    (b1, m1), wall = ref.cpu_jiffies(), time.perf_counter() - w0
    ts.sort()
    p90 = ts[min(len(ts) - 1, int(round(0.9 * (len(ts) - 1))))]
    other = max(0.0, (b1 - b0) - (m1 - m0)) / os.sysconf("SC_CLK_TCK") / wall
    return {"p50_ms": round(statistics.median(ts), 2), "p90_ms": round(p90, 2), "n": len(ts),
            "min_ms": round(ts[0], 2), "other_cores": round(other, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", required=True, help="path of torch_maml.py")
    ap.add_argument("--strided", action="store_true")
    ap.add_argument("--malloc", choices=["default", "tuned"], default="tuned")
    ap.add_argument("--cases", default="adapt_5w1s,adapt_20w1s,adapt_5w1s_head,metatrain_step_so")
    ap.add_argument("--query-adapt", type=int, default=15)
    ap.add_argument("--query-meta", type=int, default=5)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--reps-train", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--warmup-train", type=int, default=1)
    ap.add_argument("--tries", type=int, default=1, help="retry a case that other processes disturbed")
    ap.add_argument("--max-seconds", type=float, default=90.0, help="per case: stop timing after this (>= 5 runs)")
    ap.add_argument("--max-idle-wait", type=float, default=15.0)
    ap.add_argument("--threads", type=int, default=2, help="torch threads (the reference uses 2)")
    args = ap.parse_args()

    ref = load_reference(args.reference)
    torch.set_num_threads(args.threads)
    if args.malloc == "tuned":
        ref.tune_malloc()
    wait_idle = functools.partial(ref.wait_idle, max_s=args.max_idle_wait)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    adapt_cases = ref.build_cases(args.strided, gen, args.query_adapt)
    meta_cases = ref.build_cases(args.strided, gen, args.query_meta)
    head_params = ref.init_params(5, gen)
    head_task = ref.make_task(5, 1, args.query_adapt, gen)
    serve_params = [p.detach() for p in ref.init_params(5, gen)]
    serve_stats = frozen_stats(gen)
    serve_task5 = ref.make_task(5, 1, args.query_adapt, gen)
    serve_task20 = ref.make_task(20, 1, args.query_adapt, gen)
    cases = {
        "adapt_5w1s": adapt_cases["adapt_5w1s"],
        "adapt_20w1s": adapt_cases["adapt_20w1s"],
        "adapt_5w1s_head": (lambda: adapt_head_only(head_params, head_task, 5, 0.4, args.strided), False, 0),
        "metatrain_step_so": meta_cases["metatrain_step_so"],
        # the shipped model's serving path (frozen batch norm, prototype head, 1 head step at lr 0.01)
        "serve_5w1s": (lambda: serve(serve_params, serve_stats, serve_task5, 1, 0.01, args.strided), False, 0),
        "serve_20w1s": (lambda: serve(serve_params, serve_stats, serve_task20, 1, 0.01, args.strided), False, 0),
        "serve_5w1s_adapt_only": (lambda: serve(serve_params, serve_stats, serve_task5, 1, 0.01, args.strided, False), False, 0),
        "metatrain_step_fo": meta_cases["metatrain_step_fo"],
    }
    names = [c for c in args.cases.split(",") if c]
    unknown = [c for c in names if c not in cases]
    if unknown:
        ap.error(f"unknown case(s) {unknown}; choose from {list(cases)}")

    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "variant": "strided" if args.strided else "maxpool",
           "malloc": args.malloc, "query_adapt": args.query_adapt, "query_meta": args.query_meta, "cases": {}}
    for name in names:
        fn, is_train, mb = cases[name]
        reps, warm = (args.reps_train, args.warmup_train) if is_train else (args.reps, args.warmup)
        for attempt in range(max(1, args.tries)):
            wait_idle()
            r = timed(ref, fn, reps, warm, args.max_seconds)
            if r["other_cores"] < 0.15:
                break
        r["attempts"] = attempt + 1
        if is_train:
            r["tasks_per_s"] = round(mb / (r["p50_ms"] / 1e3), 2)
        out["cases"][name] = r
        print(name, r, file=sys.stderr, flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
