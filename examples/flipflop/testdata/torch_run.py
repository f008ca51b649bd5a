"""Runs a model file written by examples/flipflop (tasks.SaveModel) in PyTorch.

Reads the safetensors file with the standard library (the format is an
8-byte little-endian header length, a JSON header, raw little-endian data),
loads its state_dict into torch.nn.LSTM / GRU / RNN and torch.nn.Linear
(named "readout"), runs the inputs given as JSON on stdin
({"trials": B, "time": T, "inputs": [B*T*M floats]}) from the zero state,
and prints the readout's outputs as JSON ([B*T*O floats]).

Usage: python3 torch_run.py MODEL.safetensors < inputs.json
"""
import json
import struct
import sys

import torch


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F64", info["dtype"]
        lo, hi = info["data_offsets"]
        t = torch.frombuffer(bytearray(body[lo:hi]), dtype=torch.float64)
        tensors[name] = t.reshape(info["shape"])
    return tensors, meta


def main():
    tensors, meta = load_safetensors(sys.argv[1])
    kind = meta["kind"]
    hidden, inputs, outputs = int(meta["hidden_size"]), int(meta["input_size"]), int(meta["output_size"])
    if kind == "lstm":
        rnn = torch.nn.LSTM(inputs, hidden, batch_first=True)
    elif kind == "gru":
        rnn = torch.nn.GRU(inputs, hidden, batch_first=True)
    else:
        rnn = torch.nn.RNN(inputs, hidden, nonlinearity=kind.split("_")[1], batch_first=True)
    readout = torch.nn.Linear(hidden, outputs)
    rnn = rnn.double()
    readout = readout.double()
    rnn.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("readout.") and k != "initial_state"})
    readout.load_state_dict({"weight": tensors["readout.weight"], "bias": tensors["readout.bias"]})
    job = json.load(sys.stdin)
    x = torch.tensor(job["inputs"], dtype=torch.float64).reshape(job["trials"], job["time"], inputs)
    with torch.no_grad():
        h, _ = rnn(x)
        y = readout(h)
    json.dump(y.reshape(-1).tolist(), sys.stdout)


if __name__ == "__main__":
    main()
