package cells_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rnnfp/fixedpoints/cells"
)

// pyCheck reads the fixtures with numpy (and, if present, runs them in
// PyTorch). Safetensors files are parsed as the safetensors library
// validates them: header starting with '{', offsets tiling the data.
const pyCheck = `
import json, struct, sys
import numpy as np

d, spec = sys.argv[1], json.loads(sys.argv[2])

def load_st(path):
    b = open(path, 'rb').read()
    n, = struct.unpack('<Q', b[:8])
    assert b[8:9] == b'{', 'header must start with {'
    hdr = json.loads(b[8:8 + n].decode('utf-8'))
    hdr.pop('__metadata__', None)
    data, pos, out = b[8 + n:], 0, {}
    for k, v in sorted(hdr.items(), key=lambda kv: kv[1]['data_offsets']):
        s, e = v['data_offsets']
        assert s == pos, (k, s, pos)
        pos = e
        out[k] = np.frombuffer(data[s:e], dtype={'F64': '<f8', 'F32': '<f4'}[v['dtype']]).reshape(v['shape'])
    assert pos == len(data), 'data not tiled'
    return out

def load(name):
    path = d + '/' + name
    if name.endswith('.npz'):
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    return load_st(path)

def desc(v):
    return {'dtype': str(v.dtype), 'shape': list(v.shape), 'data': v.astype(np.float64).ravel().tolist()}

res = {'weights': {}, 'arrays': {}, 'torch': None}
for f in spec['weights']:
    res['weights'][f['file']] = {k: desc(v) for k, v in load(f['file']).items()}
for a in spec['arrays']:
    res['arrays'][a] = desc(np.load(d + '/' + a, allow_pickle=False))

try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    res['torch'] = {}
    for f in spec['weights']:
        p, kind = f['prefix'], f['kind']
        sd = {k[len(p):]: torch.from_numpy(v.astype(np.float64)) for k, v in load(f['file']).items() if k.startswith(p)}
        x0, u, want = (np.load('%s/%s.%s.npy' % (d, kind, s)) for s in ('x0', 'inputs', 'states'))
        B, T, M = u.shape
        H = sd['weight_hh_l0'].shape[1]
        if kind.startswith('rnn'):
            m = torch.nn.RNN(M, H, batch_first=True, nonlinearity='relu' if kind == 'rnn_relu' else 'tanh')
        else:
            m = {'gru': torch.nn.GRU, 'lstm': torch.nn.LSTM}[kind](M, H, batch_first=True)
        m = m.double()
        m.load_state_dict(sd, strict=True)
        got = np.zeros_like(want)
        with torch.no_grad():
            ut = torch.from_numpy(u)
            if kind == 'lstm':
                h = torch.from_numpy(x0[:, :H].copy())[None]
                c = torch.from_numpy(x0[:, H:].copy())[None]
                for t in range(T):
                    _, (h, c) = m(ut[:, t:t + 1], (h, c))
                    got[:, t, :H], got[:, t, H:] = h[0].numpy(), c[0].numpy()
            else:
                out, _ = m(ut, torch.from_numpy(x0)[None])
                got = out.numpy()
        res['torch'][f['file']] = float(np.abs(got - want).max())
print(json.dumps(res))
`

type pyArray struct {
	Dtype string    `json:"dtype"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// TestFixturesInNumPyAndPyTorch checks that numpy reads every fixture to
// the values ReadStateDict and ReadNPY give, and, where PyTorch is
// installed, that torch.nn.RNN/GRU/LSTM loaded with each weight file
// (load_state_dict, strict) reproduce the stored trajectories. Skipped
// without python3 and numpy (Debian: python3-numpy, python3-torch).
func TestFixturesInNumPyAndPyTorch(t *testing.T) {
	if testing.Short() {
		t.Skip("short: no python")
	}
	py := pythonWithNumPy()
	if py == "" {
		t.Skip("python3 with numpy not available")
	}
	type wf struct{ File, Kind, Prefix string }
	spec := struct {
		Weights []wf     `json:"weights"`
		Arrays  []string `json:"arrays"`
	}{}
	for _, f := range weightFixtures {
		spec.Weights = append(spec.Weights, wf{f.file, f.kind, f.prefix})
	}
	for _, k := range fixtureKinds {
		for _, s := range []string{"x0", "inputs", "states"} {
			spec.Arrays = append(spec.Arrays, k+"."+s+".npy")
		}
	}
	js, _ := json.Marshal(spec)
	js = []byte(strings.NewReplacer(`"File"`, `"file"`, `"Kind"`, `"kind"`, `"Prefix"`, `"prefix"`).Replace(string(js)))
	script := filepath.Join(t.TempDir(), "check.py")
	if err := os.WriteFile(script, []byte(pyCheck), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script, "testdata", string(js))
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1")
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("python: %v\n%s", err, msg)
	}
	var res struct {
		Weights map[string]map[string]pyArray
		Arrays  map[string]pyArray
		Torch   map[string]float64
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	for _, f := range weightFixtures {
		sd, err := cells.ReadStateDict(fixturePath(f.file))
		if err != nil {
			t.Fatal(err)
		}
		py := res.Weights[f.file]
		wantDtype := "float64"
		if strings.Contains(f.dtype, "32") {
			wantDtype = "float32"
		}
		if len(py) != len(sd) {
			t.Errorf("%s: numpy sees %d tensors, Go %d", f.file, len(py), len(sd))
		}
		for name, a := range py {
			g := sd[name]
			if a.Dtype != wantDtype || !slices.Equal(a.Shape, g.Shape) || maxAbsDiff(a.Data, g.Data) != 0 {
				t.Errorf("%s: %s: numpy %s %v %v, Go %v %v", f.file, name, a.Dtype, a.Shape, a.Data, g.Shape, g.Data)
			}
		}
	}
	for _, name := range spec.Arrays {
		g, err := cells.ReadNPY(fixturePath(name))
		if err != nil {
			t.Fatal(err)
		}
		a := res.Arrays[name]
		if a.Dtype != "float64" || !slices.Equal(a.Shape, g.Shape) || maxAbsDiff(a.Data, g.Data) != 0 {
			t.Errorf("%s: numpy %s %v, Go %v", name, a.Dtype, a.Shape, g.Shape)
		}
	}
	if res.Torch == nil {
		t.Log("PyTorch not available: trajectories not rerun in torch")
		return
	}
	for _, f := range weightFixtures {
		d, ok := res.Torch[f.file]
		t.Logf("%s: PyTorch trajectory vs stored: max abs diff %.3g", f.file, d)
		if !ok || d > 1e-12 {
			t.Errorf("%s: PyTorch trajectory differs from the stored one by %g (ran: %v), want <= 1e-12", f.file, d, ok)
		}
	}
}

// pythonWithNumPy returns a python3 that imports numpy, or "". The system
// one is tried too: a python3 first on the PATH (pyenv, venv) may lack the
// Debian packages.
func pythonWithNumPy() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	return ""
}
