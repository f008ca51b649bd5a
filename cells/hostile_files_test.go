package cells

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// deflatedZeros returns n zero bytes deflated (about n/1030 bytes).
func deflatedZeros(t testing.TB, n int) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	for ; n > 0; n -= len(zeros) {
		w.Write(zeros[:min(n, len(zeros))])
	}
	w.Close()
	return buf.Bytes()
}

// bombZip returns a zip archive of entries names, each the raw deflate
// data raw declaring size inflated bytes (true or not).
func bombZip(t testing.TB, names []string, raw []byte, size uint64, crc uint32) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate,
			CompressedSize64: uint64(len(raw)), UncompressedSize64: size, CRC32: crc})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestZipBombs: npz and torch.save archives whose entries declare or hold
// far more than the file: each is refused having allocated at most a few
// MiB. Before checkZipSizes, the 1 TiB declarations were inflated until
// memory ran out (7-11 GB for a 2 MB file), and the lying entries were
// read to their true size.
func TestZipBombs(t *testing.T) {
	const mib = 1 << 20
	raw := deflatedZeros(t, 64*mib) // 64 MiB of zeros in ~64 KiB
	zcrc := crc32.ChecksumIEEE(make([]byte, 64*mib))
	pkl := "\x80\x02}."
	npyNames := []string{"a.npy", "b.npy", "c.npy", "d.npy"}
	pt := func(size uint64) []byte { // data.pkl stored, storages deflated
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("archive/data.pkl")
		w.Write([]byte(pkl))
		for _, n := range []string{"archive/data/0", "archive/data/1"} {
			w, _ := zw.CreateRaw(&zip.FileHeader{Name: n, Method: zip.Deflate,
				CompressedSize64: uint64(len(raw)), UncompressedSize64: size, CRC32: zcrc})
			w.Write(raw)
		}
		zw.Close()
		return buf.Bytes()
	}
	cases := []struct {
		name, file string
		b          []byte
		limit      int64
		want       error
	}{
		{"npz declaring 1 TiB per entry", "w.npz", bombZip(t, npyNames, raw, 1<<40, zcrc), 0, ErrFormat},
		{"torch.save declaring 1 TiB per storage", "w.pt", pt(1 << 40), 0, ErrFormat},
		{"npz of 4 x 64 MiB over a 100 MiB limit", "w.npz", bombZip(t, npyNames, raw, 64*mib, zcrc), 100 * mib, ErrTooLarge},
		{"torch.save of 2 x 64 MiB over a 100 MiB limit", "w.pt", pt(64 * mib), 100 * mib, ErrTooLarge},
		{"npz declaring 1 MiB, holding 64", "w.npz", bombZip(t, npyNames[:1], raw, mib, zcrc), 0, ErrFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), c.file)
			if err := os.WriteFile(path, c.b, 0o644); err != nil {
				t.Fatal(err)
			}
			var err error
			n := allocated(func() { _, _, err = LoadModel(path, Options{Kind: "gru", MaxBytes: c.limit}) })
			if !errors.Is(err, c.want) {
				t.Errorf("err %v, want %v", err, c.want)
			}
			if n > 8*mib {
				t.Errorf("allocated %d MiB for a %d KiB file", n/mib, len(c.b)>>10)
			}
			t.Logf("%d KiB file: %d KiB allocated; %v", len(c.b)>>10, n>>10, err)
		})
	}
}

// TestRefusesDevicesAndFIFOs: /dev/zero as weights or as an array, and a
// FIFO with no writer, are refused at once. Before, /dev/zero was read
// without bound and the FIFO's open blocked forever.
func TestRefusesDevicesAndFIFOs(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "weights.pt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, p := range []string{"/dev/zero", fifo} {
		for what, read := range map[string]func(string) error{
			"LoadModel":     func(p string) error { _, _, err := LoadModel(p, Options{}); return err },
			"ReadStateDict": func(p string) error { _, err := ReadStateDict(p); return err },
			"ReadNPY":       func(p string) error { _, err := ReadNPY(p); return err },
		} {
			done := make(chan error, 1)
			go func() { done <- read(p) }()
			select {
			case err := <-done:
				if err == nil {
					t.Errorf("%s(%s) read it", what, p)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s(%s) still reading after 10 s", what, p)
			}
		}
	}
}

// TestIntegerWeightsAreADtypeError: a state_dict whose recurrent weights
// are int64 is refused with ErrDtype naming the tensor and its type.
// Before, the integer tensors were skipped and the weights reported as
// missing.
func TestIntegerWeightsAreADtypeError(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "gru.f64.pt"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		var data bytes.Buffer
		data.ReadFrom(rc)
		rc.Close()
		body := data.Bytes()
		if strings.HasSuffix(f.Name, "data.pkl") { // every storage int64 (8 bytes, as float64)
			body = bytes.Replace(body, []byte("DoubleStorage"), []byte("LongStorage"), 1)
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		w.Write(body)
	}
	zw.Close()
	path := filepath.Join(t.TempDir(), "int.pt")
	os.WriteFile(path, buf.Bytes(), 0o644)
	_, _, err = LoadModel(path, Options{})
	if !errors.Is(err, ErrDtype) || !strings.Contains(err.Error(), "int64") || !strings.Contains(err.Error(), "weight_ih_l0") {
		t.Fatalf("err %v, want ErrDtype naming the tensor and int64", err)
	}
	t.Log(err)
}

// TestManyNamesBoundedError: a state_dict of 100 000 tensors without the
// weights a cell needs gives an error of bounded length. Before, the
// messages listed every name ("have [...]": 1.5 MB here, 400 KB copied
// into a sweep's records).
func TestManyNamesBoundedError(t *testing.T) {
	sd := StateDict{}
	for i := range 100_000 {
		sd[fmt.Sprintf("module.block%d.weight", i)] = Tensor{Shape: []int{1}, Data: []float64{0}}
	}
	for what, err := range map[string]error{
		"InferSizes":    func() error { _, _, err := InferSizes(sd, "gru"); return err }(),
		"LoadStateDict": NewGRU(2, 1).LoadStateDict(sd),
		"DetectPrefix":  func() error { _, err := DetectPrefix(sd); return err }(),
		"StripPrefix":   func() error { _, err := StripPrefix(sd, "rnn."); return err }(),
	} {
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		if n := len(err.Error()); n > maxErrorText {
			t.Errorf("%s: error of %d bytes", what, n)
		}
	}
}
