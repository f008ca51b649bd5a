"""Fixtures for continuous-time RNNs and ONNX step functions (issue 29).

Run from the repository root with Debian's python3-torch (1.13) and
python3-numpy (the system python):

    /usr/bin/python3 cells/testdata/gen_ctrnn.py

It rewrites every file listed in cells/testdata/ctrnn.json (and that
manifest) from fixed seeds. CI has no torch: the files are committed and
the Go tests read them. Nothing here re-implements a cell for the Go side to
copy: every weight file is a torch module's state_dict (or PsychRNN's
layout of the same module's tensors), every F(x, u) and Jacobian dF/dx is
computed by the torch module (autograd), and every ONNX file is
torch.onnx.export of the module's one step.

Files:
  ctrnn.<form>.<act>.pt      a neurogym-style CTRNN (nn.Linear input2h, h2h)
                             under prefix "rnn." beside a readout "fc";
                             form rate, post or voltage, activation relu,
                             tanh, softplus, sigmoid or identity, alpha 0.2
  ctrnn.<form>.<act>.onnx    the same module's step(input, hidden)
  ctrnn.<...>.ref.npz        x (P x N), u (P x M), f (P x N), jac (P x N x N)
  ctrnn.names.pt             custom nn.Linear names w_in, w_rec (-input-name,
                             -recurrent-name), rate form, tanh
  ctrnn.rnnnames.pt          nn.RNN's tensors (weight_ih_l0 ...) with a leak
  ctrnn.kernel.npz           one kernel over [u; h] (Yang et al. 2019)
  psychrnn.dale.npz          PsychRNN's save layout with Dale's law
                             (dale_ratio 0.8) and connectivity masks; the
                             W_rec saved raw (before masking)
  psychrnn.nodale.npz        the same with dale_ratio None (an object array)
                             and connectivity masks only
  psychrnn.*.wrec.npz        the masked matrix PsychRNN's step uses
  lowrank.pt / .onnx         a rank-2 RNN (m, n, wi), voltage form, tanh
  gated.f64.onnx / .f32.onnx a custom gated cell (not GRU/LSTM) step
  sink.onnx                  a step using every translated operator
  flipflop_ctrnn.pt / .onnx  a CTRNN (rate, relu, alpha 0.2, N = 16) trained
                             500 Adam steps on the 3-bit flip-flop, with
  flipflop_ctrnn.newton.npz  its fixed points by damped float64 Newton on
                             the torch module (autograd Jacobians)
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
OUT = os.path.dirname(os.path.abspath(__file__))
N, M, P, ALPHA = 5, 3, 6, 0.2
manifest = []


def path(name):
    return os.path.join(OUT, name)


ACTS = {
    'relu': torch.relu, 'tanh': torch.tanh, 'softplus': nn.functional.softplus,
    'sigmoid': torch.sigmoid, 'identity': lambda a: a,
}


class CTRNN(nn.Module):
    """neurogym's CTRNN: input2h, h2h, and the leak where form puts it."""

    def __init__(self, form, act, alpha=ALPHA, n=N, m=M, names=('input2h', 'h2h')):
        super().__init__()
        self.form, self.act, self.alpha, self.names = form, act, alpha, names
        setattr(self, names[0], nn.Linear(m, n))
        setattr(self, names[1], nn.Linear(n, n))

    def forward(self, u, h):
        win, wrec = getattr(self, self.names[0]), getattr(self, self.names[1])
        f = ACTS[self.act]
        a = self.alpha
        if self.form == 'rate':
            return (1 - a) * h + a * f(win(u) + wrec(h))
        if self.form == 'post':
            return f((1 - a) * h + a * (win(u) + wrec(h)))
        return (1 - a) * h + a * (wrec(f(h)) + win(u))


class Net(nn.Module):
    def __init__(self, rnn, outputs=2):
        super().__init__()
        self.rnn = rnn
        self.fc = nn.Linear(rnn.h2h.out_features if hasattr(rnn, 'h2h') else N, outputs)


class RNNNames(nn.Module):
    """A leaky rate CTRNN whose weights live in an nn.RNN (tanh)."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(M, N)

    def forward(self, u, h):
        r = self.rnn
        pre = u @ r.weight_ih_l0.T + r.bias_ih_l0 + h @ r.weight_hh_l0.T + r.bias_hh_l0
        return (1 - ALPHA) * h + ALPHA * torch.tanh(pre)


class Kernel(nn.Module):
    """Yang et al. 2019's LeakyRNNCell: one kernel over [u; h], relu."""

    def __init__(self):
        super().__init__()
        self.kernel = nn.Parameter(torch.randn(M + N, N) / np.sqrt(N))
        self.bias = nn.Parameter(0.1 * torch.randn(N))

    def forward(self, u, h):
        return (1 - ALPHA) * h + ALPHA * torch.relu(torch.cat([u, h], 1) @ self.kernel + self.bias)


class PsychRNN(nn.Module):
    """PsychRNN's Basic.recurrent_timestep (no noise) with its masks."""

    def __init__(self, dale):
        super().__init__()
        g = torch.Generator().manual_seed(40 + dale)
        self.W_in = torch.randn(N, M, generator=g)
        self.W_rec = torch.randn(N, N, generator=g) / np.sqrt(N)
        self.b_rec = 0.1 * torch.randn(N, generator=g)
        self.rec_connectivity = (torch.rand(N, N, generator=g) < 0.7).double()
        self.input_connectivity = (torch.rand(N, M, generator=g) < 0.8).double()
        nexc = int(0.8 * N)
        self.Dale_rec = torch.diag(torch.tensor([1.0] * nexc + [-1.0] * (N - nexc)))
        self.dale = dale

    def effective(self):
        W_rec = self.W_rec * self.rec_connectivity
        W_in = self.W_in * self.input_connectivity
        if self.dale:
            W_rec = W_rec.abs() @ self.Dale_rec
            W_in = W_in.abs()
        return W_rec, W_in

    def forward(self, u, h):
        W_rec, W_in = self.effective()
        return (1 - ALPHA) * h + ALPHA * (torch.relu(h) @ W_rec.T + u @ W_in.T + self.b_rec)


class LowRank(nn.Module):
    """A rank-2 RNN as Dubreuil et al. write it: voltage form, W = m n^T / N."""

    def __init__(self, rank=2):
        super().__init__()
        self.m = nn.Parameter(torch.randn(N, rank))
        self.n = nn.Parameter(torch.randn(N, rank) * 2)
        self.wi = nn.Parameter(torch.randn(M, N))

    def forward(self, u, h):
        r = torch.tanh(h)
        return h + ALPHA * (-h + r @ self.n @ self.m.T / N + u @ self.wi)


class Gated(nn.Module):
    """A custom gated cell (not GRU, not LSTM): a leak gate z and a
    candidate from a split projection."""

    def __init__(self):
        super().__init__()
        self.gate = nn.Linear(M + N, 2 * N)
        self.cand = nn.Linear(N, N, bias=False)

    def forward(self, u, h):
        zr = torch.sigmoid(self.gate(torch.cat([u, h], 1)))
        z, r = torch.chunk(zr, 2, dim=1)
        c = torch.tanh(self.cand(r * h) + u[:, :1])
        return (1 - z) * h + z * c


class Sink(nn.Module):
    """Every operator the translation reads, in one step."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(N, N) / np.sqrt(N))
        self.win = nn.Parameter(torch.randn(M, N))
        self.b = nn.Parameter(torch.randn(N) * 0.1)
        self.lin = nn.Linear(N, N)

    def forward(self, u, h):
        a = h @ self.w + u @ self.win + self.b               # MatMul, Add
        a = self.lin(a)                                      # Gemm
        s = torch.sigmoid(a) - torch.relu(-a) * 0.5          # Sigmoid, Relu, Neg, Sub, Mul
        s = s / (2.0 + torch.exp(-h * h))                    # Div, Exp
        s = s + torch.log(1.5 + torch.tanh(h)) * 0.1          # Log, Tanh
        s = s + torch.sqrt(1.0 + h * h) * 0.05               # Sqrt
        s = s + torch.pow(torch.clamp(h, -2.0, 2.0), 3) * 0.01  # Pow, Clip
        s = s + nn.functional.leaky_relu(h, 0.1) * 0.1       # LeakyRelu
        s = s + nn.functional.softplus(u @ self.win) * 0.1   # Softplus
        p, q = torch.split(s, [2, N - 2], dim=1)             # Split
        s = torch.cat([q, p], dim=1)                         # Concat
        t = s.reshape(-1, N).unsqueeze(2).squeeze(2)         # Reshape, Unsqueeze, Squeeze
        t = t.unsqueeze(1).transpose(1, 2).squeeze(2)        # Transpose (batch kept on axis 0)
        g = t[:, [4, 0, 1, 2, 3]]                            # Gather
        g = g + torch.cat([t[:, 1:3], t[:, 0:3]], 1) * 0.1   # Slice
        return 0.5 * h + 0.5 * g


def ref_points(module, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    x = scale * torch.randn(P, N, generator=g, dtype=torch.float64)
    u = torch.randn(P, M, generator=g, dtype=torch.float64)
    with torch.no_grad():
        f = module(u, x)
    jac = torch.zeros(P, N, N, dtype=torch.float64)
    for k in range(P):
        jac[k] = torch.autograd.functional.jacobian(lambda xx: module(u[k:k + 1], xx[None])[0], x[k])
    return {'x': x.numpy(), 'u': u.numpy(), 'f': f.numpy(), 'jac': jac.numpy()}


def write_ref(name, module, seed):
    np.savez(path(name + '.ref.npz'), **ref_points(module, seed))


def export_step(module, fname, dtype=torch.float64, names=('input', 'hidden')):
    u = torch.zeros(1, M, dtype=dtype)
    h = torch.zeros(1, module.h2h.out_features if hasattr(module, 'h2h') else N, dtype=dtype)
    torch.onnx.export(module.to(dtype), (u, h), path(fname), opset_version=14,
                      input_names=list(names), output_names=['hidden_next'])
    module.double()


def add(**kw):
    manifest.append(kw)


def ctrnn_fixtures():
    seed = 100
    for form in ('rate', 'post', 'voltage'):
        for act in ACTS:
            seed += 1
            torch.manual_seed(seed)
            m = CTRNN(form, act).double()
            name = 'ctrnn.%s.%s' % (form, act)
            torch.save(Net(m).state_dict(), path(name + '.pt'))
            export_step(m, name + '.onnx')
            write_ref(name, m, seed)
            add(file=name + '.pt', onnx=name + '.onnx', ref=name + '.ref.npz', form=form, activation=act, alpha=ALPHA, prefix='rnn.')
    torch.manual_seed(200)
    m = CTRNN('rate', 'tanh', names=('w_in', 'w_rec')).double()
    torch.save(m.state_dict(), path('ctrnn.names.pt'))
    write_ref('ctrnn.names', m, 200)
    add(file='ctrnn.names.pt', ref='ctrnn.names.ref.npz', form='rate', activation='tanh', alpha=ALPHA, input_name='w_in', recurrent_name='w_rec')
    torch.manual_seed(201)
    m = RNNNames().double()
    torch.save(m.state_dict(), path('ctrnn.rnnnames.pt'))
    write_ref('ctrnn.rnnnames', m, 201)
    add(file='ctrnn.rnnnames.pt', ref='ctrnn.rnnnames.ref.npz', form='rate', activation='tanh', alpha=ALPHA, prefix='rnn.')
    torch.manual_seed(202)
    m = Kernel().double()
    np.savez(path('ctrnn.kernel.npz'), **{'rnn/leaky_rnn_cell/kernel': m.kernel.detach().numpy(),
                                         'rnn/leaky_rnn_cell/bias': m.bias.detach().numpy(),
                                         'output/dense/kernel': np.ones((N, 2))})
    write_ref('ctrnn.kernel', m, 202)
    add(file='ctrnn.kernel.npz', ref='ctrnn.kernel.ref.npz', form='rate', activation='relu', alpha=ALPHA, prefix='rnn/leaky_rnn_cell/')
    for dale, name in ((1, 'psychrnn.dale'), (0, 'psychrnn.nodale')):
        m = PsychRNN(dale)
        W_rec, _ = m.effective()
        arrays = {k: getattr(m, k).numpy() for k in ('W_in', 'W_rec', 'b_rec', 'rec_connectivity', 'input_connectivity', 'Dale_rec')}
        arrays.update(W_out=np.ones((2, N)), b_out=np.zeros(2), init_state=np.zeros((1, N)),
                      output_connectivity=np.ones((2, N)), Dale_out=np.eye(N),
                      dale_ratio=np.array(0.8) if dale else np.array(None, dtype=object))
        if not dale:
            arrays['Dale_rec'] = np.eye(N)
            m.Dale_rec = torch.eye(N, dtype=torch.float64)
        np.savez(path(name + '.npz'), **arrays)
        np.savez(path(name + '.wrec.npz'), W_rec=W_rec.numpy())
        write_ref(name, m, 300 + dale)
        add(file=name + '.npz', ref=name + '.ref.npz', wrec=name + '.wrec.npz', form='voltage', activation='relu', alpha=ALPHA)
    torch.manual_seed(203)
    m = LowRank().double()
    torch.save(m.state_dict(), path('lowrank.pt'))
    export_step(m, 'lowrank.onnx')
    write_ref('lowrank', m, 203)
    add(file='lowrank.pt', onnx='lowrank.onnx', ref='lowrank.ref.npz', form='voltage', activation='tanh', alpha=ALPHA)


def onnx_fixtures():
    torch.manual_seed(210)
    m = Gated().double()
    export_step(m, 'gated.f64.onnx')
    write_ref('gated', m, 210)
    # the float32 export's weights, rounded as the file holds them
    m32 = Gated().double()
    m32.load_state_dict({k: v.float().double() for k, v in m.state_dict().items()})
    export_step(m, 'gated.f32.onnx', dtype=torch.float32)
    write_ref('gated.f32', m32, 210)
    add(onnx='gated.f64.onnx', ref='gated.ref.npz')
    add(onnx='gated.f32.onnx', ref='gated.f32.ref.npz', dtype='f32')
    torch.manual_seed(211)
    m = Sink().double()
    export_step(m, 'sink.onnx', names=('u', 'state'))
    write_ref('sink', m, 211)
    add(onnx='sink.onnx', ref='sink.ref.npz', state_input='state')


# ---------------------------------------------------------------- trained flip-flop CTRNN

def flipflop_batch(g, B, T, bits=3, p=0.2):
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


class FlipFlop(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.rnn = CTRNN('rate', 'relu', alpha=0.2, n=hidden, m=3)
        self.fc = nn.Linear(hidden, 3)
        with torch.no_grad():  # start near a slow, stable network (trains in a few hundred steps)
            self.rnn.h2h.weight.copy_(0.5 * torch.eye(hidden) + 0.1 * torch.randn(hidden, hidden))

    def forward(self, u):
        h = torch.zeros(u.shape[0], self.rnn.h2h.out_features, dtype=u.dtype)
        out = []
        for t in range(u.shape[1]):
            h = self.rnn(u[:, t], h)
            out.append(self.fc(h))
        return torch.stack(out, 1)


def newton(step, starts, inputs=3, iters=80):
    B, n = starts.shape
    zero = torch.zeros(1, inputs, dtype=torch.float64)

    def F(x):
        with torch.no_grad():
            return step(zero.expand(len(x), -1), x)

    def jac(x):  # rows are independent: one backward pass per state dimension
        x = x.detach().clone().requires_grad_(True)
        y = step(zero.expand(len(x), -1), x)
        return torch.stack([torch.autograd.grad(y[:, i].sum(), x, retain_graph=True)[0] for i in range(n)], 1)

    x = starts.clone()
    eye = torch.eye(n, dtype=torch.float64)
    for _ in range(iters):
        r = F(x) - x
        nr = r.norm(dim=1)
        dx = torch.linalg.lstsq(jac(x) - eye, -r[:, :, None]).solution[:, :, 0]
        a = torch.ones(B, dtype=torch.float64)
        best, done = x.clone(), torch.zeros(B, dtype=torch.bool)
        for _ in range(30):
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
        if all((x[k] - y).abs().max().item() > 1e-7 for y in found):
            found.append(x[k])
    pts = torch.stack(found)
    return pts, jac(pts)


def flipflop_fixture():
    torch.manual_seed(7)
    net = FlipFlop().double()
    opt = torch.optim.Adam(net.parameters(), lr=2e-2)
    g = torch.Generator().manual_seed(8)
    for it in range(500):
        u, y = flipflop_batch(g, 32, 40)
        loss = nn.functional.mse_loss(net(u), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    torch.save(net.state_dict(), path('flipflop_ctrnn.pt'))
    export_step(net.rnn, 'flipflop_ctrnn.onnx')
    u, _ = flipflop_batch(g, 32, 64)
    with torch.no_grad():
        h = torch.zeros(32, 16, dtype=torch.float64)
        states = []
        for t in range(64):
            h = net.rnn(u[:, t], h)
            states.append(h)
    states = torch.cat(states)
    idx = torch.randint(len(states), (1500,), generator=g)
    starts = states[idx] + 0.5 * torch.randn(1500, 16, generator=g, dtype=torch.float64)
    pts, J = newton(net.rnn, starts)
    mu = torch.linalg.eigvals(J)
    lam = (mu - 1) / 0.2
    flow_unstable = (lam.real > 0).sum(1).double().numpy()
    map_unstable = (mu.abs() > 1).sum(1).double().numpy()
    order = np.lexsort(pts.numpy().T[::-1])
    np.savez(path('flipflop_ctrnn.newton.npz'), points=pts.numpy()[order], n_unstable_flow=flow_unstable[order],
             n_unstable_map=map_unstable[order], max_re_lambda=lam.real.max(1).values.numpy()[order])
    with open(path('flipflop_ctrnn.newton.txt'), 'w') as f:
        f.write('CTRNN (rate form, relu, alpha 0.2, hidden 16), 500 Adam steps on the 3-bit flip-flop: final loss %.6f\n' % loss.item())
        f.write('damped Newton (float64, torch autograd Jacobians) from %d starts: %d distinct fixed points, |F(x)-x|_max <= 1e-12\n' % (len(starts), len(pts)))
        for k in order:
            f.write('unstable (flow) %d  (map) %d  max Re lambda %.6f\n' % (flow_unstable[k], map_unstable[k], lam[k].real.max().item()))
    add(file='flipflop_ctrnn.pt', onnx='flipflop_ctrnn.onnx', newton='flipflop_ctrnn.newton.npz', alpha=0.2, form='rate',
        activation='relu', prefix='rnn.', loss=loss.item())


def main():
    if sys.argv[1:] == ['flipflop']:
        flipflop_fixture()
        return
    ctrnn_fixtures()
    onnx_fixtures()
    flipflop_fixture()
    with open(path('ctrnn.json'), 'w') as f:
        json.dump({'generator': 'cells/testdata/gen_ctrnn.py', 'torch': torch.__version__, 'numpy': np.__version__,
                   'fixtures': manifest}, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
