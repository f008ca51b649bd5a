#!/usr/bin/env python3
"""Side by side: the Python FixedPointFinder (PyTorch) and ours on the same
networks and the same 1024 initial states, with the ratio of their times.

First let the Go side measure ours and write the networks and initial states:

    go run ./examples/bench -export /tmp/fpcompare [-count 5]

then run the reference on them and print the table:

    python3 examples/bench/compare.py /tmp/fpcompare --ref PATH/TO/fixed-point-finder [--count 1]

--ref is a local checkout of github.com/mattgolub/fixed-point-finder (its
code is not part of this repository). Without torch, numpy or --ref the
reference's columns say so and only our medians are printed: the reference
is optional. The reference runs with its own defaults (Adam from lr 1.0,
tol_q 1e-12, float32 as its default dtype unless --float64), one thread
(torch.set_num_threads(1)), zero input, as its flip-flop example does; its
"fixed points" are its unique points, and "q < 1e-12" counts those whose q
reaches the tolerance. The load average is printed with every row: on a
loaded machine both times are inflated.
"""
import argparse
import contextlib
import json
import os
import struct
import sys
import time


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def load_safetensors(path, torch):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if info["dtype"] != "F64":
            raise ValueError("%s: dtype %s, want F64" % (name, info["dtype"]))
        lo, hi = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(body[lo:hi]), dtype=torch.float64).reshape(info["shape"])
    return out


def load_state_dict(net, torch, np):
    """The recurrent module's state_dict (names weight_ih_l0, ...)."""
    if net["format"] == "safetensors":
        sd = load_safetensors(net["model"], torch)
    else:
        d = np.load(net["model"])
        sd = {k: torch.from_numpy(d[k].astype(np.float64)) for k in d.files}
    out = {}
    for k, v in sd.items():
        base = k.split(".")[-1]
        if base.startswith(("weight_ih", "weight_hh", "bias_ih", "bias_hh")):
            out[base] = v
    return out


def build_rnn(net, torch, np, dtype):
    H, M = net["hidden"], net["inputs"]
    kind = net["kind"]
    if kind == "lstm":
        core = torch.nn.LSTM(M, H, batch_first=True)
    elif kind == "gru":
        core = torch.nn.GRU(M, H, batch_first=True)
    else:
        core = torch.nn.RNN(M, H, nonlinearity=kind.split("_")[1], batch_first=True)
    core.load_state_dict(load_state_dict(net, torch, np))
    core = core.to(dtype)
    if kind != "lstm":
        return core

    class LSTMState(torch.nn.Module):
        """The LSTM with its state [h; c] as one vector, as ours."""

        def __init__(self, lstm):
            super().__init__()
            self.lstm = lstm
            self.batch_first = True

        def forward(self, x, hc):
            h, c = hc[..., :H].contiguous(), hc[..., H:].contiguous()
            out, (h1, c1) = self.lstm(x, (h, c))
            return out, torch.cat([h1, c1], dim=-1)

    return LSTMState(core)


def run_reference(net, args):
    """Median seconds of the reference's find_fixed_points, its unique fixed
    points and how many of them reach q < 1e-12; or a reason it did not run."""
    try:
        import numpy as np
        import torch
    except ImportError:
        return None, "no torch/numpy"
    if not args.ref:
        return None, "no --ref checkout"
    sys.path.insert(0, os.path.abspath(args.ref))
    try:
        from FixedPointFinderTorch import FixedPointFinderTorch
    except ImportError as e:
        return None, "cannot import the reference: %s" % e
    torch.set_num_threads(1)
    dtype = torch.float64 if args.float64 else torch.float32
    rnn = build_rnn(net, torch, np, dtype)
    x0 = np.array(net["initial_states"], dtype=np.float64).reshape(-1, net["n"])
    u = np.zeros([1, net["inputs"]])
    times, unique = [], None
    for _ in range(max(1, args.count)):
        fpf = FixedPointFinderTorch(rnn, verbose=False, super_verbose=False,
                                    dtype="float64" if args.float64 else "float32")
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(sys.stderr):  # its progress lines would split the table
            unique, _ = fpf.find_fixed_points(x0.astype(np.float64 if args.float64 else np.float32), u)
        times.append(time.perf_counter() - t0)
    times.sort()
    n = unique.n if unique is not None else 0
    good = int((unique.qstar < 1e-12).sum()) if n else 0
    return (times[len(times) // 2], n, good), ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="directory written by go run ./examples/bench -export DIR")
    ap.add_argument("--ref", help="local checkout of mattgolub/fixed-point-finder")
    ap.add_argument("--count", type=int, default=1, help="reference runs per network (median)")
    ap.add_argument("--float64", action="store_true", help="run the reference in float64 (its default is float32)")
    ap.add_argument("--only", default="", help="comma-separated network names (default: all exported)")
    args = ap.parse_args()

    names = ["tanh-16", "gru-16", "lstm-16", "gru-128"]
    if args.only:
        names = [s.strip() for s in args.only.split(",") if s.strip()]
    print("| network, 1024 initial states | ours s | ours fixed (stability proved) | reference s | reference unique (q < 1e-12) | ours / reference | load |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in names:
        path = os.path.join(args.dir, name + ".json")
        if not os.path.exists(path):
            print("| %s | not exported | | | | | |" % name)
            continue
        with open(path) as f:
            net = json.load(f)
        ref, why = run_reference(net, args)
        ours = "%.3f" % net["ours_seconds"]
        found = "%d (%d)" % (net["ours_fixed"], net["ours_stability_proved"])
        if ref is None:
            print("| %s | %s | %s | skipped: %s | | | %s |" % (name, ours, found, why, net["load"]))
            continue
        t, n, good = ref
        print("| %s | %s | %s | %.3f | %d (%d) | %.3gx | %s |" % (name, ours, found, t, n, good, net["ours_seconds"] / t, load_average()))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
