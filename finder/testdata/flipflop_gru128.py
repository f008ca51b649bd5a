#!/usr/bin/python3
"""Train the 128-unit GRU of the scale benchmarks on the 3-bit flip-flop.

Debian's python3-torch (1.13, CPU) and python3-numpy suffice:

    /usr/bin/python3 finder/testdata/flipflop_gru128.py finder/testdata/flipflop-gru128.npz

The task is the reference's (and tasks.FlipFlop's): 3 bits, 64 steps, a pulse
of random sign with probability 0.5 per bit and step, every bit pulsed at t = 0,
target = sign of the most recent pulse. The weights are written as float32 in
PyTorch's state_dict names (rnn.weight_ih_l0, ..., readout.weight), which
cells.LoadTorchCell reads. Seeded: the same torch build gives the same file.
"""
import sys
import time

import numpy as np
import torch

BITS, T, HIDDEN = 3, 64, 128


def trials(n, gen):
    pulse = torch.rand(n, T, BITS, generator=gen) < 0.5
    pulse[:, 0, :] = True
    sign = torch.where(torch.rand(n, T, BITS, generator=gen) < 0.5, -1.0, 1.0)
    u = torch.where(pulse, sign, torch.zeros(()))
    y = torch.zeros_like(u)
    last = torch.zeros(n, BITS)
    for t in range(T):
        last = torch.where(u[:, t] != 0, u[:, t], last)
        y[:, t] = last
    return u, y


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(BITS, HIDDEN, batch_first=True)
        self.readout = torch.nn.Linear(HIDDEN, BITS)

    def forward(self, u):
        h, _ = self.rnn(u)
        return self.readout(h)


def save(net, out):
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()}
    np.savez(out, **sd)


def main(out):
    torch.set_num_threads(1)
    torch.manual_seed(128)
    gen = torch.Generator().manual_seed(128)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    uv, yv = trials(256, gen)
    t0 = time.time()
    for step in range(1, 1501):
        u, y = trials(32, gen)
        loss = torch.mean((net(u) - y) ** 2)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        if step % 50 == 0:
            with torch.no_grad():
                pv = net(uv)
                mse = torch.mean((pv - yv) ** 2).item()
                sign = torch.mean((torch.sign(pv) == yv).float()).item()
            print(f"step {step} validation mse {mse:.3g} sign {sign:.4f} {time.time() - t0:.0f}s", flush=True)
            if step % 100 == 0:  # a checkpoint, so that a long run can be stopped
                save(net, out)
            if mse < 2e-3:
                break
    save(net, out)
    print(f"wrote {out}: validation mse {mse:.3g}, sign accuracy {sign:.4f}, {step} steps")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "flipflop-gru128.npz")
