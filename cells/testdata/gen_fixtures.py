#!/usr/bin/python3
"""Writes the model fixtures of package cells with PyTorch and NumPy themselves.

Run from the repository root with Debian's python3-torch (1.13) and
python3-numpy (the system python, not a pyenv/venv one without them):

    OMP_NUM_THREADS=1 /usr/bin/python3 cells/testdata/gen_fixtures.py

It rewrites every file listed in cells/testdata/fixtures.json (and that
manifest), deterministically from fixed seeds (torch 1.13.1, CPU, one
thread). With the argument "flipflop" it redoes only the trained flip-flop
GRU and its Newton solve. Every file comes out byte for byte the same but
the two legacy-format torch.save files, whose storage keys are Python
object ids (the values inside are the same), and the Newton points, which
may move by 1e-15 from one run to the next. CI has no torch: the files
are committed and the Go tests read them. Nothing here re-implements an RNN:
every weight file is written from a torch module's state_dict and every
trajectory and every step F(x, u) is computed by the torch module.

What it writes (N is the state size: hidden for nn.RNN/nn.GRU, [h; c] per
layer for nn.LSTM; a stack of L layers has the layers' states one after the
other, [h_0; h_1] or [h_0; c_0; h_1; c_1]):

  * <kind>.<f32|f64>.safetensors and .npz: the state_dicts of nn.RNN (tanh,
    relu), nn.GRU (inside a module, prefix "rnn.", beside a readout) and
    nn.LSTM, in float32 and float64. torch 1.13 has no safetensors package,
    so the format is written by hand (write_safetensors): an 8-byte
    little-endian unsigned header length n, n bytes of JSON header
    {name: {"dtype": "F32"|"F64", "shape": [...], "data_offsets": [begin,
    end]}, "__metadata__": {"format": "pt"}} padded with spaces to a
    multiple of 8, then the tensors' raw little-endian bytes in the order of
    the sorted names, as safetensors.torch.save_file writes them. The .npz
    files are numpy.savez / numpy.savez_compressed of the detached arrays.
  * <name>.ref.npz: x0 (B x N), inputs (B x T x M) and states (B x T x N), the
    torch module run step by step from x0; step_x, step_u and step_f: F(x, u)
    of the module at independent random points. Float64 arrays; for a
    float32 module every value is a float32 value.
  * torch.save files: zip (default) and legacy (_use_new_zipfile_serialization
    =False) state_dicts of nn.GRU and nn.LSTM; float16 and bfloat16 storages;
    a checkpoint dict with optimizer state; one under a key of the user's;
    2-layer nn.RNN, nn.GRU, nn.LSTM; files that must be refused (a pickled
    whole module, a bidirectional GRU, an LSTM with proj_size, a pickle that
    holds no state_dict).
  * ONNX exports (torch.onnx.export, opset 14) of nn.RNN, nn.GRU, nn.LSTM,
    a 2-layer nn.GRU (two stacked GRU nodes) and a model with two separate
    GRUs (a node must be chosen).
  * flipflop_gru2.pt: a 2-layer nn.GRU (hidden 8) trained here for a few
    hundred Adam steps on the 3-bit flip-flop task, and
    flipflop_gru2.newton.npz / .txt: its fixed points under zero input found
    by an independent float64 Newton solve on the torch module (Jacobians by
    torch.autograd) from many starts.
"""

import json
import os
import struct
import sys

import numpy as np
import torch

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)))
HIDDEN, INPUTS, TRIALS, STEPS, POINTS = 4, 3, 2, 6, 5
manifest = []


def path(name):
    return os.path.join(OUT, name)


def add(**kw):
    manifest.append(kw)


# ---------------------------------------------------------------- writers

def write_safetensors(fname, sd):
    """The safetensors format by hand (see the module docstring)."""
    names = sorted(sd)
    header, blobs, pos = {}, [], 0
    for k in names:
        a = np.ascontiguousarray(sd[k].detach().cpu().numpy())
        dt = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64'}[a.dtype]
        b = a.astype(a.dtype.newbyteorder('<')).tobytes()
        header[k] = {'dtype': dt, 'shape': list(a.shape), 'data_offsets': [pos, pos + len(b)]}
        blobs.append(b)
        pos += len(b)
    header['__metadata__'] = {'format': 'pt'}
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path(fname), 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def write_npz(fname, sd, compressed=False):
    arrays = {k: v.detach().cpu().numpy() for k, v in sd.items()}
    (np.savez_compressed if compressed else np.savez)(path(fname), **arrays)


def write_ref(fname, arrays):
    np.savez(path(fname), **{k: np.asarray(v, dtype=np.float64) for k, v in arrays.items()})


# ---------------------------------------------------------------- modules

def make_module(kind, dtype, layers=1, seed=0, **kw):
    torch.manual_seed(seed)
    if kind.startswith('rnn'):
        m = torch.nn.RNN(INPUTS, HIDDEN, num_layers=layers, batch_first=True,
                         nonlinearity='relu' if kind == 'rnn_relu' else 'tanh', **kw)
    else:
        m = {'gru': torch.nn.GRU, 'lstm': torch.nn.LSTM}[kind](INPUTS, HIDDEN, num_layers=layers, batch_first=True, **kw)
    # Wider weights than the default init, so that the gates are not all near 1/2.
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(2.0)
    return m.to(dtype)


class Wrapped(torch.nn.Module):
    """A module holding the recurrent layer as self.rnn beside a readout."""

    def __init__(self, rnn, outputs=2):
        super().__init__()
        self.rnn = rnn
        self.readout = torch.nn.Linear(rnn.hidden_size, outputs).to(next(rnn.parameters()).dtype)


def state_size(kind, layers):
    return layers * HIDDEN * (2 if kind == 'lstm' else 1)


def to_torch_state(kind, layers, x, hidden=HIDDEN):
    """Our state rows (B x N) -> torch's h0 (L x B x H) or (h0, c0)."""
    B = x.shape[0]
    per = 2 * hidden if kind == 'lstm' else hidden
    blocks = x.reshape(B, layers, per).transpose(0, 1)
    if kind == 'lstm':
        return (blocks[:, :, :hidden].contiguous(), blocks[:, :, hidden:].contiguous())
    return blocks.contiguous()


def from_torch_state(kind, layers, s):
    if kind == 'lstm':
        h, c = s
        return torch.cat([h, c], dim=2).transpose(0, 1).reshape(h.shape[1], -1)
    return s.transpose(0, 1).reshape(s.shape[1], -1)


def step(m, kind, layers, x, u):
    """F(x, u): one step of the torch module from our state rows."""
    with torch.no_grad():
        _, s = m(u[:, None, :], to_torch_state(kind, layers, x, m.hidden_size))
    return from_torch_state(kind, layers, s)


def reference(m, kind, layers, dtype, seed):
    """Trajectories and steps of the torch module (see the docstring)."""
    g = torch.Generator().manual_seed(seed)
    N = state_size(kind, layers)
    x0 = (2 * torch.rand(TRIALS, N, generator=g, dtype=torch.float64) - 1).to(dtype)
    u = torch.randn(TRIALS, STEPS, INPUTS, generator=g, dtype=torch.float64).to(dtype)
    states = torch.zeros(TRIALS, STEPS, N, dtype=dtype)
    x = x0
    for t in range(STEPS):
        x = step(m, kind, layers, x, u[:, t])
        states[:, t] = x
    sx = (1.5 * torch.randn(POINTS, N, generator=g, dtype=torch.float64)).to(dtype)
    su = torch.randn(POINTS, INPUTS, generator=g, dtype=torch.float64).to(dtype)
    sf = step(m, kind, layers, sx, su)
    return {'x0': x0.numpy(), 'inputs': u.numpy(), 'states': states.numpy(),
            'step_x': sx.numpy(), 'step_u': su.numpy(), 'step_f': sf.numpy()}


def single_layer_fixtures():
    """Issue 13 item 6: safetensors and npz, float32 and float64."""
    for i, kind in enumerate(['rnn', 'rnn_relu', 'gru', 'lstm']):
        for dtype, dt in [(torch.float64, 'f64'), (torch.float32, 'f32')]:
            m = make_module(kind, dtype, seed=10 + i)
            name = '%s.%s' % (kind, dt)
            write_ref(name + '.ref.npz', reference(m, kind, 1, dtype, 100 + i))
            prefix, sd = '', m.state_dict()
            if kind == 'gru':
                prefix, sd = 'rnn.', Wrapped(m).state_dict()
            write_safetensors(name + '.safetensors', sd)
            write_npz(name + '.npz', sd, compressed=(kind in ('gru', 'lstm') and dt == 'f32'))
            for ext, fmt in [('.safetensors', 'safetensors'), ('.npz', 'npz')]:
                add(file=name + ext, format=fmt, kind=kind, layers=1, dtype=dt, prefix=prefix, ref=name + '.ref.npz')
            if dt == 'f64' and kind in ('gru', 'lstm'):
                torch_save_fixtures(kind, m, name, prefix, sd)
            if dt == 'f32' and kind in ('gru', 'lstm'):  # float32 storages
                torch.save(sd, path(name + '.pt'))
                add(file=name + '.pt', format='torch zip', kind=kind, layers=1, dtype=dt, prefix=prefix, ref=name + '.ref.npz')


def torch_save_fixtures(kind, m, name, prefix, sd):
    """Issue 20: torch.save zip and legacy, f16/bf16, checkpoints."""
    ref = name + '.ref.npz'
    torch.save(sd, path(name + '.pt'))
    add(file=name + '.pt', format='torch zip', kind=kind, layers=1, dtype='f64', prefix=prefix, ref=ref)
    legacy = name + ('.legacy.pth' if kind == 'lstm' else '.legacy.pt')
    torch.save(sd, path(legacy), _use_new_zipfile_serialization=False)
    add(file=legacy, format='torch legacy', kind=kind, layers=1, dtype='f64', prefix=prefix, ref=ref)
    if kind == 'gru':
        for lo, lname in [(torch.float16, 'f16'), (torch.bfloat16, 'bf16')]:
            low = {k: v.to(lo) for k, v in sd.items()}
            torch.save(low, path('gru.%s.pt' % lname))
            # The exact values of the low-precision storages, for comparison.
            write_ref('gru.%s.values.npz' % lname, {k: v.float().numpy() for k, v in low.items()})
            add(file='gru.%s.pt' % lname, format='torch zip', kind=kind, layers=1, dtype=lname, prefix=prefix,
                values='gru.%s.values.npz' % lname)
        torch.save({'weights': sd, 'note': 'a state_dict under a key of the user\'s'}, path('gru.userkey.pt'))
        add(file='gru.userkey.pt', format='torch zip', kind=kind, layers=1, dtype='f64', prefix=prefix, key='weights', ref=ref)
    else:
        # A training checkpoint: the state_dict beside the optimizer's state.
        clone = make_module('lstm', torch.float64, seed=99)
        opt = torch.optim.Adam(clone.parameters(), lr=1e-3)
        out, _ = clone(torch.randn(2, 3, INPUTS, dtype=torch.float64))
        out.pow(2).sum().backward()
        opt.step()
        ckpt = {'epoch': 3, 'model_state_dict': sd, 'optimizer_state_dict': opt.state_dict(),
                'loss': 0.125, 'config': {'hidden': HIDDEN, 'cell': 'lstm', 'lr': 1e-3}}
        torch.save(ckpt, path('lstm.ckpt.pt'))
        add(file='lstm.ckpt.pt', format='torch zip', kind=kind, layers=1, dtype='f64', prefix=prefix,
            key='model_state_dict', ref=ref)


def multi_layer_fixtures():
    for i, kind in enumerate(['rnn', 'gru', 'lstm']):
        m = make_module(kind, torch.float64, layers=2, seed=20 + i)
        name = '%s2.f64' % kind
        write_ref(name + '.ref.npz', reference(m, kind, 2, torch.float64, 200 + i))
        torch.save(m.state_dict(), path(name + '.pt'))
        add(file=name + '.pt', format='torch zip', kind=kind, layers=2, dtype='f64', prefix='', ref=name + '.ref.npz')


def refusal_fixtures():
    m = make_module('gru', torch.float64, seed=30)
    torch.save(m, path('refuse.module.pt'))
    add(file='refuse.module.pt', refuse='pickled whole module')
    bi = make_module('gru', torch.float64, seed=31, bidirectional=True)
    torch.save(bi.state_dict(), path('refuse.bidirectional.pt'))
    add(file='refuse.bidirectional.pt', refuse='bidirectional')
    torch.manual_seed(32)
    proj = torch.nn.LSTM(INPUTS, HIDDEN, proj_size=2, batch_first=True).double()
    torch.save(proj.state_dict(), path('refuse.proj.pt'))
    add(file='refuse.proj.pt', refuse='proj_size')
    torch.save({'epoch': 7, 'lr': 0.01, 'history': [0.5, 0.25]}, path('refuse.nostatedict.pt'))
    add(file='refuse.nostatedict.pt', refuse='no state_dict')


# ---------------------------------------------------------------- ONNX

class TwoGRUs(torch.nn.Module):
    """Two separate GRUs reading the same input: the reader must be told which."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(41)
        self.enc = torch.nn.GRU(INPUTS, HIDDEN, batch_first=True).double()
        self.aux = torch.nn.GRU(INPUTS, HIDDEN, batch_first=True).double()

    def forward(self, x):
        a, _ = self.enc(x)
        b, _ = self.aux(x)
        return a + b


def onnx_fixtures():
    x = torch.zeros(1, STEPS, INPUTS, dtype=torch.float64)
    for kind, layers, seed in [('rnn', 1, 10), ('gru', 1, 12), ('lstm', 1, 13), ('gru', 2, 21)]:
        # The same modules as the float64 single-layer and 2-layer fixtures:
        # the ONNX cell must equal the exported torch module, whose
        # trajectories are in the .ref.npz.
        m = make_module(kind, torch.float64, layers=layers, seed=seed)
        name = '%s%s.f64' % (kind, '2' if layers > 1 else '')
        torch.onnx.export(m, (x,), path(name + '.onnx'), opset_version=14, input_names=['x'])
        add(file=name + '.onnx', format='onnx', kind=kind, layers=layers, dtype='f64', ref=name + '.ref.npz')
    two = TwoGRUs()
    torch.onnx.export(two, (x,), path('two_grus.onnx'), opset_version=14, input_names=['x'])
    for sub in ('enc', 'aux'):
        g = getattr(two, sub)
        write_ref('two_grus.%s.ref.npz' % sub, reference(g, 'gru', 1, torch.float64, 300))
    add(file='two_grus.onnx', format='onnx', kind='gru', layers=1, dtype='f64', refs=['two_grus.enc.ref.npz', 'two_grus.aux.ref.npz'])


# ---------------------------------------------------------------- trained flip-flop GRU

def flipflop_batch(g, B, T, bits=3, p=0.5):
    """Pulses of +-1 on each channel with probability p per step (one at t=0);
    the target holds the last pulse's sign."""
    pulse = (torch.rand(B, T, bits, generator=g) < p).double()
    pulse[:, 0] = 1
    sign = torch.where(torch.rand(B, T, bits, generator=g) < 0.5, -1.0, 1.0).double()
    u = pulse * sign
    y = torch.zeros_like(u)
    last = torch.zeros(B, bits, dtype=torch.float64)
    for t in range(T):
        last = torch.where(u[:, t] != 0, u[:, t], last)
        y[:, t] = last
    return u, y


class FlipFlopGRU(torch.nn.Module):
    def __init__(self, hidden=8, bits=3):
        super().__init__()
        self.rnn = torch.nn.GRU(bits, hidden, num_layers=2, batch_first=True)
        self.readout = torch.nn.Linear(hidden, bits)

    def forward(self, u):
        h, _ = self.rnn(u)
        return self.readout(h)


def newton_fixed_points(m, starts, iters=60):
    """Zero-input fixed points of the stack's step F by damped Newton in
    float64, all starts at once: F and its Jacobian (one autograd pass per
    state dimension) come from the torch module itself."""
    kind, layers = 'gru', 2
    B, N = starts.shape
    zero = torch.zeros(B, 3, dtype=torch.float64)

    def F(x):
        with torch.no_grad():
            return step(m, kind, layers, x, zero[:len(x)])

    def jac(x):
        x = x.detach().clone().requires_grad_(True)
        _, s = m(zero[:len(x), None, :], to_torch_state(kind, layers, x, m.hidden_size))
        y = from_torch_state(kind, layers, s)
        J = torch.zeros(len(x), N, N, dtype=torch.float64)
        for i in range(N):
            g, = torch.autograd.grad(y[:, i].sum(), x, retain_graph=True)
            J[:, i, :] = g
        return J

    x = starts.clone()
    eye = torch.eye(N, dtype=torch.float64)
    for it in range(iters):
        r = F(x) - x
        nr = r.norm(dim=1)
        A = jac(x) - eye
        dx = torch.linalg.lstsq(A, -r[:, :, None]).solution[:, :, 0]
        a = torch.ones(B, dtype=torch.float64)
        best = x.clone()
        done = torch.zeros(B, dtype=torch.bool)
        for _ in range(30):  # backtracking: halve a until the residual falls
            xt = x + a[:, None] * dx
            ok = ((F(xt) - xt).norm(dim=1) < nr) & ~done
            best[ok] = xt[ok]
            done |= ok
            a = torch.where(done, a, a / 2)
        x = best
    r = (F(x) - x).abs().max(dim=1).values
    found = []
    for k in torch.argsort(r):
        if r[k] > 1e-12:
            break
        if all((x[k] - y).abs().max().item() > 1e-7 for y, _ in found):
            found.append((x[k], None))
    pts = torch.stack([p for p, _ in found])
    J = jac(pts)
    return [(p, torch.linalg.eigvals(j)) for p, j in zip(pts, J)]


def flipflop_fixture():
    torch.manual_seed(5)
    m = FlipFlopGRU().double()
    opt = torch.optim.Adam(m.parameters(), lr=2e-2)
    g = torch.Generator().manual_seed(6)
    for it in range(400):
        u, y = flipflop_batch(g, 64, 32)
        loss = torch.nn.functional.mse_loss(m(u), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    torch.save(m.state_dict(), path('flipflop_gru2.pt'))
    rnn = m.rnn
    # Starts as the finder draws them: states visited under pulses plus
    # Gaussian noise of standard deviation 0.5.
    u, _ = flipflop_batch(g, 32, 64)
    with torch.no_grad():
        h = torch.zeros(2, 32, 8, dtype=torch.float64)
        states = []
        for t in range(64):
            _, h = rnn(u[:, t:t + 1], h)
            states.append(from_torch_state('gru', 2, h))
    states = torch.cat(states)
    idx = torch.randint(len(states), (2000,), generator=g)
    starts = states[idx] + 0.5 * torch.randn(2000, 16, generator=g, dtype=torch.float64)
    found = newton_fixed_points(rnn, starts)
    pts = torch.stack([x for x, _ in found]).numpy()
    mods = [ev.abs() for _, ev in found]
    rho = np.array([ev.max().item() for ev in mods])
    unstable = np.array([int((ev > 1).sum().item()) for ev in mods])
    # A gate saturated to exactly 0 or 1 in float64 (z = 1 once its
    # pre-activation passes ~37) makes a unit's row of the Jacobian a unit
    # vector: an eigenvalue of exactly 1, and F(x) = x along a continuum
    # that the real map does not have (issue 13, item 10). Such points are
    # flagged, not compared.
    saturated = np.array([int(((ev - 1).abs() < 1e-12).any().item() or np.abs(x).max() >= 1) for x, ev in zip(pts, mods)])
    order = np.lexsort(pts.T[::-1])
    pts, rho, unstable, saturated = pts[order], rho[order], unstable[order], saturated[order]
    np.savez(path('flipflop_gru2.newton.npz'), points=pts, spectral_radius=rho, n_unstable=unstable.astype(np.float64), saturated=saturated.astype(np.float64))
    with open(path('flipflop_gru2.newton.txt'), 'w') as f:
        f.write('2-layer nn.GRU, hidden 8, trained 400 Adam steps on the 3-bit flip-flop: final loss %.6f\n' % loss.item())
        f.write('damped Newton (float64, torch autograd Jacobians) from %d starts (trajectory states + N(0, 0.5^2)):\n' % len(starts))
        f.write('%d distinct fixed points with |F(x)-x|_max <= 1e-12, %d of them saturated (flagged, not compared)\n'
                % (len(pts), saturated.sum()))
        for x, r, k, sat in zip(pts, rho, unstable, saturated):
            f.write('%s rho %.6f  n_unstable %d  x %s\n' % ('saturated' if sat else 'fixed    ', r, k,
                    np.array2string(x, precision=4, max_line_width=400)))
    add(file='flipflop_gru2.pt', format='torch zip', kind='gru', layers=2, dtype='f64', prefix='rnn.',
        newton='flipflop_gru2.newton.npz', loss=loss.item())


def main():
    if sys.argv[1:] == ['flipflop']:  # only the trained GRU and its Newton solve
        flipflop_fixture()
        return
    single_layer_fixtures()
    multi_layer_fixtures()
    refusal_fixtures()
    onnx_fixtures()
    flipflop_fixture()
    with open(path('fixtures.json'), 'w') as f:
        json.dump({'generator': 'cells/testdata/gen_fixtures.py', 'torch': torch.__version__,
                   'numpy': np.__version__, 'fixtures': manifest}, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
