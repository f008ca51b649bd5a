package cells

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"
)

// ErrNotStateDict: a torch.save file holds something other than a
// state_dict of tensors (a pickled whole module, a list, a dict of numbers).
var ErrNotStateDict = errors.New("not a state_dict")

// CheckpointKeys are the keys under which a torch.save checkpoint dict is
// searched for the state_dict, in this order, when no key is named.
var CheckpointKeys = []string{"state_dict", "model_state_dict", "model"}

// howToSave is the advice every refusal of a torch.save file ends with.
const howToSave = "save the weights alone with torch.save(model.state_dict(), \"model.pt\") " +
	"(or a checkpoint dict holding model.state_dict() under \"state_dict\")"

// torchFile is what a torch.save file was decoded to.
type torchFile struct {
	format string // "torch.save zip" or "torch.save legacy"
	key    string // checkpoint key of the state_dict, "" at the top
}

// decodeTorch decodes a torch.save file (the zip format of PyTorch >= 1.6
// or the legacy format) with gopickle, which executes nothing: classes are
// looked up in a fixed table (tensors, storages, OrderedDict) and any other
// class becomes an inert placeholder that a state_dict must not contain.
// key names the checkpoint entry that holds the state_dict ("" tries the
// whole object, then CheckpointKeys).
func decodeTorch(b []byte, key string, limit int64) (sd StateDict, info torchFile, err error) {
	defer recoverDecode("torch.save", &err)
	var obj any
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")):
		info.format = "torch.save zip"
		obj, err = loadTorchZip(b, limit)
	case len(b) >= 2 && b[0] == 0x80:
		info.format = "torch.save legacy"
		obj, err = loadTorchLegacy(b)
	default:
		return nil, info, fmt.Errorf("%w: not a torch.save file (neither a zip archive nor a pickle; %s)", ErrFormat, contentKind(b))
	}
	if err != nil {
		return nil, info, err
	}
	sd, info.key, err = selectStateDict(obj, key)
	if err != nil {
		return nil, info, err
	}
	return sd, info, nil
}

// loadTorchZip unpickles data.pkl of a torch.save zip archive, reading each
// storage from its record data/KEY.
func loadTorchZip(b []byte, limit int64) (any, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: torch.save zip archive: %v (is the file complete?)", ErrTruncated, err)
	}
	if err := checkZipSizes(zr, limit); err != nil {
		return nil, err
	}
	records := make(map[string]*zip.File, len(zr.File))
	var pkl *zip.File
	for _, f := range zr.File {
		records[f.Name] = f
		if path.Base(f.Name) == "data.pkl" && (pkl == nil || len(f.Name) < len(pkl.Name)) {
			pkl = f
		}
		if path.Base(f.Name) == "constants.pkl" {
			return nil, fmt.Errorf("%w: a TorchScript archive (torch.jit.save), not a torch.save file: %s", ErrNotStateDict, howToSave)
		}
	}
	if pkl == nil {
		return nil, fmt.Errorf("%w: a zip archive without data.pkl, not a torch.save file", ErrFormat)
	}
	dir := strings.TrimSuffix(pkl.Name, "data.pkl")
	if bo, ok := records[dir+"byteorder"]; ok {
		v, err := readZipEntry(bo)
		if err != nil {
			return nil, fmt.Errorf("%w: torch.save record %s: %v", ErrTruncated, bo.Name, err)
		}
		if s := strings.TrimSpace(string(v)); s != "little" {
			return nil, fmt.Errorf("%w: storages saved in %q byte order, only little-endian is read", ErrFormat, s)
		}
	}
	data, err := readZipEntry(pkl)
	if err != nil {
		return nil, fmt.Errorf("%w: torch.save record %s: %v", ErrTruncated, pkl.Name, err)
	}
	if _, err := scanPickle(data); err != nil {
		return nil, fmt.Errorf("pickle %s: %w", pkl.Name, err)
	}
	loaded := map[string]pytorch.StorageInterface{}
	u := newTorchUnpickler(bytes.NewReader(data))
	u.PersistentLoad = func(id any) (any, error) {
		_, cls, k, n, err := storageID(id, 5)
		if err != nil {
			return nil, err
		}
		if s, ok := loaded[k]; ok {
			return s, nil
		}
		rec, ok := records[dir+"data/"+k]
		if !ok {
			return nil, fmt.Errorf("%w: storage record %sdata/%s is missing from the archive", ErrTruncated, dir, k)
		}
		if rec.UncompressedSize64 < uint64(n)*uint64(cls.elem) {
			return nil, fmt.Errorf("%w: storage %s holds %d bytes, want %d (%d x %s)", ErrTruncated, k, rec.UncompressedSize64, n*cls.elem, n, cls.name)
		}
		raw, err := readZipEntry(rec)
		if err != nil {
			return nil, fmt.Errorf("%w: storage record %s: %v", ErrTruncated, rec.Name, err)
		}
		s, err := cls.load(bytes.NewReader(raw), n)
		if err != nil {
			return nil, err
		}
		loaded[k] = s
		return s, nil
	}
	obj, err := u.Load()
	if err != nil {
		return nil, pickleError(pkl.Name, err)
	}
	return obj, nil
}

// storageID reads the persistent id of a storage in a torch.save pickle,
// a tuple of at least fields entries ("storage", class, key, location,
// element count, ...): the zip format's has 5, the legacy format's 6.
func storageID(id any, fields int) (t *types.Tuple, cls *storageClass, key string, n int, err error) {
	t, ok := id.(*types.Tuple)
	if !ok || t.Len() < fields {
		return nil, nil, "", 0, fmt.Errorf("%w: persistent id %s is not a storage", ErrFormat, pyString(id))
	}
	if s, _ := t.Get(0).(string); s != "storage" {
		return nil, nil, "", 0, fmt.Errorf("%w: persistent id of type %s, want storage", ErrFormat, pyString(t.Get(0)))
	}
	cls, okc := t.Get(1).(*storageClass)
	key, okk := t.Get(2).(string)
	n, okn := t.Get(4).(int)
	if !okc || !okk || !okn || n < 0 {
		return nil, nil, "", 0, fmt.Errorf("%w: malformed storage id %s", ErrFormat, pyString(id))
	}
	return t, cls, key, n, nil
}

// pickleError wraps an error of the unpickler in the sentinel it means:
// ours as they are, an early end as ErrTruncated, the rest as ErrFormat.
func pickleError(what string, err error) error {
	for _, s := range []error{ErrFormat, ErrTruncated, ErrDtype, ErrNotStateDict, ErrUnsupported} {
		if errors.Is(err, s) {
			return err
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: pickle %s ends early: %s", ErrTruncated, what, libText(err))
	}
	return fmt.Errorf("%w: pickle %s: %s", ErrFormat, what, libText(err))
}

// legacyMagic is the first pickle of a legacy torch.save file.
const legacyMagic = "1950a86a20f9469cfc6c"

// loadTorchLegacy reads the legacy format (PyTorch < 1.6, or
// _use_new_zipfile_serialization=False): pickles of the magic number, the
// protocol version and system info, the object, the storage keys, then
// each storage as an 8-byte element count and its little-endian data.
func loadTorchLegacy(b []byte) (any, error) {
	r := bytes.NewReader(b)
	// Each of the five pickles is scanned before it is read.
	scan := func() error {
		_, err := scanPickle(b[len(b)-r.Len():])
		return err
	}
	if err := scan(); err != nil {
		return nil, fmt.Errorf("%w: a pickle that is not a torch.save file (%w): %s", ErrNotStateDict, err, howToSave)
	}
	magic, err := newTorchUnpickler(r).Load()
	if n, ok := magic.(*big.Int); err != nil || !ok || n.Text(16) != legacyMagic {
		return nil, fmt.Errorf("%w: a pickle that is not a torch.save file (no torch magic number): %s", ErrNotStateDict, howToSave)
	}
	if err := scan(); err != nil {
		return nil, err
	}
	if v, err := newTorchUnpickler(r).Load(); err != nil || v != 1001 {
		return nil, fmt.Errorf("%w: torch.save legacy protocol %s, want 1001", ErrFormat, pyString(v))
	}
	if err := scan(); err != nil {
		return nil, err
	}
	if _, err := newTorchUnpickler(r).Load(); err != nil { // sys info
		return nil, fmt.Errorf("%w: torch.save legacy header: %s", ErrTruncated, libText(err))
	}
	type pending struct {
		cls *storageClass
		n   int
		s   pytorch.StorageInterface
	}
	storages := map[string]*pending{}
	u := newTorchUnpickler(r)
	u.PersistentLoad = func(id any) (any, error) {
		t, cls, k, n, err := storageID(id, 6)
		if err != nil {
			return nil, err
		}
		if n > len(b)/cls.elem {
			return nil, fmt.Errorf("%w: storage %s of %d %s is larger than the file", ErrFormat, quoted(k), n, cls.name)
		}
		if t.Get(5) != nil {
			return nil, fmt.Errorf("%w: storage views of the legacy format are not read: %s", ErrFormat, howToSave)
		}
		if p, ok := storages[k]; ok {
			return p.s, nil
		}
		p := &pending{cls: cls, n: n, s: cls.empty(n)}
		storages[k] = p
		return p.s, nil
	}
	if err := scan(); err != nil {
		return nil, err
	}
	obj, err := u.Load()
	if err != nil {
		return nil, pickleError("of the legacy format", err)
	}
	if err := scan(); err != nil {
		return nil, err
	}
	keys, err := newTorchUnpickler(r).Load()
	if err != nil {
		return nil, fmt.Errorf("%w: torch.save legacy storage keys: %s", ErrTruncated, libText(err))
	}
	list, ok := keys.(*types.List)
	if !ok {
		return nil, fmt.Errorf("%w: torch.save legacy storage keys are %T, want a list", ErrFormat, keys)
	}
	for _, kv := range *list {
		k, _ := kv.(string)
		p, ok := storages[k]
		if !ok {
			return nil, fmt.Errorf("%w: storage key %s not referenced by the pickle", ErrFormat, pyString(kv))
		}
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, fmt.Errorf("%w: storage %s: the file ends before its size", ErrTruncated, k)
		}
		if n := binary.LittleEndian.Uint64(hdr[:]); n != uint64(p.n) {
			return nil, fmt.Errorf("%w: storage %s has %d elements, its tensor says %d", ErrFormat, k, n, p.n)
		}
		if r.Len() < p.n*p.cls.elem {
			return nil, fmt.Errorf("%w: the file ends inside storage %s (%d bytes needed, %d left)", ErrTruncated, k, p.n*p.cls.elem, r.Len())
		}
		if err := p.s.SetFromFileWithSize(r, p.n); err != nil {
			return nil, fmt.Errorf("%w: storage %s: %v", ErrTruncated, k, err)
		}
	}
	return obj, nil
}

// newTorchUnpickler returns a gopickle unpickler whose class table is
// torchClass: nothing in the file is executed.
func newTorchUnpickler(r io.Reader) *pickle.Unpickler {
	u := pickle.NewUnpickler(r)
	u.FindClass = torchClass
	return &u
}

// torchClass maps the classes a state_dict pickle names to gopickle's
// PyTorch types; any other class becomes an inert placeholder
// (placeholderClass), so that a checkpoint holding, say, a numpy scalar
// still loads, and a pickled module is recognised and refused.
func torchClass(module, name string) (any, error) {
	switch module + "." + name {
	case "torch._utils._rebuild_tensor_v2":
		return &pytorch.RebuildTensorV2{}, nil
	case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
		return rebuildParameter{}, nil
	}
	if module == "torch" {
		if c, ok := storageClasses[name]; ok {
			return c, nil
		}
	}
	return &placeholderClass{module: module, name: name}, nil
}

// storageClass is one of torch's typed storages: gopickle's class for it
// and its element size.
type storageClass struct {
	name string
	elem int
	cls  pytorch.StorageClassInterface
}

var storageClasses = map[string]*storageClass{
	"DoubleStorage":   {"float64", 8, &pytorch.DoubleStorageClass{}},
	"FloatStorage":    {"float32", 4, &pytorch.FloatStorageClass{}},
	"HalfStorage":     {"float16", 2, &pytorch.HalfStorageClass{}},
	"BFloat16Storage": {"bfloat16", 2, &pytorch.BFloat16StorageClass{}},
	"LongStorage":     {"int64", 8, &pytorch.LongStorageClass{}},
	"IntStorage":      {"int32", 4, &pytorch.IntStorageClass{}},
	"ShortStorage":    {"int16", 2, &pytorch.ShortStorageClass{}},
	"CharStorage":     {"int8", 1, &pytorch.CharStorageClass{}},
	"ByteStorage":     {"uint8", 1, &pytorch.ByteStorageClass{}},
	"BoolStorage":     {"bool", 1, &pytorch.BoolStorageClass{}},
}

func (c *storageClass) empty(n int) pytorch.StorageInterface { return c.cls.New(n, "cpu") }

// load reads n elements from r, which must hold them.
func (c *storageClass) load(r *bytes.Reader, n int) (pytorch.StorageInterface, error) {
	if r.Len() < n*c.elem {
		return nil, fmt.Errorf("%w: storage of %d %s needs %d bytes, has %d", ErrTruncated, n, c.name, n*c.elem, r.Len())
	}
	s := c.empty(n)
	if err := s.SetFromFileWithSize(r, n); err != nil {
		return nil, fmt.Errorf("%w: storage: %v", ErrTruncated, err)
	}
	return s, nil
}

// rebuildParameter is torch._utils._rebuild_parameter: the tensor itself.
type rebuildParameter struct{}

func (rebuildParameter) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("%w: _rebuild_parameter without arguments", ErrFormat)
	}
	return args[0], nil
}

// placeholderClass stands for a class the reader does not know; calling or
// instantiating it gives a placeholder object that records the class and
// ignores its state.
type placeholderClass struct{ module, name string }

func (c *placeholderClass) Call(args ...any) (any, error)  { return &placeholder{c}, nil }
func (c *placeholderClass) PyNew(args ...any) (any, error) { return &placeholder{c}, nil }

type placeholder struct{ class *placeholderClass }

func (p *placeholder) PySetState(any) error { return nil }

// className is the dotted name of the placeholder's class.
func (p *placeholder) className() string { return p.class.module + "." + p.class.name }

// selectStateDict finds the state_dict in the unpickled object: the object
// itself if it is a dict holding tensors, else the entry under key (or the
// first of CheckpointKeys present when key is "").
func selectStateDict(obj any, key string) (StateDict, string, error) {
	d, ok := asDict(obj)
	if !ok {
		return nil, "", notStateDict(obj, "the file")
	}
	if key != "" {
		v, ok := d.get(key)
		if !ok {
			return nil, "", fmt.Errorf("%w: no key %s in the checkpoint dict (keys: %s)", ErrMissing, quoted(key), d.keyList())
		}
		sd, err := tensorDict(v, fmt.Sprintf("the entry %q", key))
		return sd, key, err
	}
	if d.hasTensor() {
		sd, err := tensorDict(obj, "the file")
		return sd, "", err
	}
	for _, k := range CheckpointKeys {
		if v, ok := d.get(k); ok {
			sd, err := tensorDict(v, fmt.Sprintf("the entry %q", k))
			return sd, k, err
		}
	}
	return nil, "", fmt.Errorf("%w: a dict with keys %s and no tensors, and none of the checkpoint keys %q; "+
		"name the key that holds the state_dict (-key), or %s", ErrNotStateDict, d.keyList(), CheckpointKeys, howToSave)
}

// tensorDict converts a dict of tensors; what names the object in errors.
func tensorDict(obj any, what string) (StateDict, error) {
	d, ok := asDict(obj)
	if !ok {
		return nil, notStateDict(obj, what)
	}
	sd := StateDict{}
	for _, e := range d.entries {
		name, ok := e.k.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %s has a key %s of type %T, want tensor names", ErrNotStateDict, what, pyString(e.k), e.k)
		}
		t, ok := e.v.(*pytorch.Tensor)
		if !ok {
			continue // a number or string beside the tensors (e.g. a version)
		}
		ten, ok, err := torchTensor(name, t)
		if err != nil {
			return nil, err
		}
		if !ok && recurrentParam.MatchString(name) {
			// A counter beside the weights may be an integer; a weight may not
			// (it was reported as missing).
			return nil, fmt.Errorf("%w: tensor %s is stored as %s; a recurrent layer's weights must be float64, float32, float16 or bfloat16",
				ErrDtype, quoted(name), storageDtype(t.Source))
		}
		if ok {
			sd[name] = ten
		}
	}
	if len(sd) == 0 {
		return nil, fmt.Errorf("%w: %s holds no floating-point tensor (keys: %s): %s", ErrNotStateDict, what, d.keyList(), howToSave)
	}
	return sd, nil
}

// notStateDict explains what obj is instead of a state_dict.
func notStateDict(obj any, what string) error {
	if p, ok := obj.(*placeholder); ok {
		if strings.HasPrefix(p.class.module, "torch.nn.") || strings.Contains(p.class.module, "__main__") ||
			strings.HasPrefix(p.class.module, "torch.jit") {
			return fmt.Errorf("%w: %s is a pickled whole module (%s), saved by torch.save(model): "+
				"reading it would need its Python class; %s", ErrNotStateDict, what, p.className(), howToSave)
		}
		return fmt.Errorf("%w: %s is an object of class %s, not a dict of tensors: %s", ErrNotStateDict, what, p.className(), howToSave)
	}
	return fmt.Errorf("%w: %s holds %s, not a dict of tensors: %s", ErrNotStateDict, what, describePy(obj), howToSave)
}

// describePy names the Python type of an unpickled value.
func describePy(v any) string {
	switch v := v.(type) {
	case *types.List:
		return fmt.Sprintf("a list of %d items", len(*v))
	case *types.Tuple:
		return fmt.Sprintf("a tuple of %d items", v.Len())
	case *pytorch.Tensor:
		return "a single tensor of shape " + dims(v.Size)
	case nil:
		return "None"
	case string:
		return "a string"
	case int, *big.Int:
		return "an integer"
	case float64:
		return "a float"
	}
	return fmt.Sprintf("a %T", v)
}

// pyDict is a Python dict or OrderedDict as ordered entries.
type pyDict struct {
	entries []struct{ k, v any }
}

func asDict(obj any) (pyDict, bool) {
	var d pyDict
	switch o := obj.(type) {
	case *types.Dict:
		for _, e := range *o {
			d.entries = append(d.entries, struct{ k, v any }{e.Key, e.Value})
		}
	case *types.OrderedDict:
		for e := o.List.Front(); e != nil; e = e.Next() {
			oe, ok := e.Value.(*types.OrderedDictEntry)
			if !ok {
				return d, false
			}
			d.entries = append(d.entries, struct{ k, v any }{oe.Key, oe.Value})
		}
	default:
		return d, false
	}
	return d, true
}

func (d pyDict) get(key string) (any, bool) {
	for _, e := range d.entries {
		if k, ok := e.k.(string); ok && k == key {
			return e.v, true
		}
	}
	return nil, false
}

func (d pyDict) hasTensor() bool {
	for _, e := range d.entries {
		if _, ok := e.v.(*pytorch.Tensor); ok {
			return true
		}
	}
	return false
}

func (d pyDict) keyList() string {
	ks := make([]string, 0, len(d.entries))
	for _, e := range d.entries {
		if len(ks) > describeItems*4 {
			break
		}
		if s, ok := e.k.(string); ok {
			ks = append(ks, quoted(s))
		} else {
			ks = append(ks, pyString(e.k))
		}
	}
	sort.Strings(ks)
	if len(ks) > describeItems {
		ks = append(ks[:describeItems], fmt.Sprintf("... (%d keys)", len(d.entries)))
	}
	return "[" + strings.Join(ks, " ") + "]"
}

// torchTensor converts a floating-point tensor to a dense row-major
// float64 Tensor, following its strides; ok is false for integer and bool
// tensors (skipped: a state_dict may hold counters beside the weights).
func torchTensor(name string, t *pytorch.Tensor) (Tensor, bool, error) {
	var data []float64
	switch s := t.Source.(type) {
	case *pytorch.DoubleStorage:
		data = s.Data
	case *pytorch.FloatStorage:
		data = widen(s.Data)
	case *pytorch.HalfStorage:
		data = widen(s.Data)
	case *pytorch.BFloat16Storage:
		data = widen(s.Data)
	default:
		return Tensor{}, false, nil
	}
	shape := append([]int(nil), t.Size...)
	n, ok := numElements(shape)
	if !ok || len(t.Stride) != len(shape) || t.StorageOffset < 0 {
		return Tensor{}, false, fmt.Errorf("%w: tensor %s has shape %s and strides %s", ErrFormat, quoted(name), dims(t.Size), dims(t.Stride))
	}
	if n > len(data) {
		return Tensor{}, false, fmt.Errorf("%w: tensor %s of shape %s has more elements than its storage of %d values", ErrFormat, quoted(name), dims(shape), len(data))
	}
	out := Tensor{Shape: shape, Data: make([]float64, n)}
	if n == 0 {
		return out, true, nil
	}
	last := t.StorageOffset
	for d, s := range t.Stride {
		if s < 0 || s > len(data) {
			return Tensor{}, false, fmt.Errorf("%w: tensor %s has stride %s", ErrFormat, quoted(name), dims(t.Stride))
		}
		last += (shape[d] - 1) * s
	}
	if last >= len(data) {
		return Tensor{}, false, fmt.Errorf("%w: tensor %s (shape %s, offset %d, strides %s) reaches past its storage of %d values",
			ErrTruncated, quoted(name), dims(shape), t.StorageOffset, dims(t.Stride), len(data))
	}
	idx := make([]int, len(shape))
	for k := range out.Data {
		off := t.StorageOffset
		for d, i := range idx {
			off += i * t.Stride[d]
		}
		out.Data[k] = data[off]
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out, true, nil
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// recurrentParam matches the names of nn.RNN/GRU/LSTM parameters, with or
// without a module prefix.
var recurrentParam = regexp.MustCompile(`(^|\.)(weight|bias)_(ih|hh|hr)_l[0-9]+(_reverse)?$`)

// storageDtype names the element type of a torch storage.
func storageDtype(s pytorch.StorageInterface) string {
	switch s.(type) {
	case *pytorch.LongStorage:
		return "int64"
	case *pytorch.IntStorage:
		return "int32"
	case *pytorch.ShortStorage:
		return "int16"
	case *pytorch.CharStorage:
		return "int8"
	case *pytorch.ByteStorage:
		return "uint8"
	case *pytorch.BoolStorage:
		return "bool"
	}
	return fmt.Sprintf("a storage of type %T", s)
}
