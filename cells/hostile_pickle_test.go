package cells

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Hostile pickles: values that refer to themselves, or nest so deep or
// share so much that printing them is unbounded. Each must give an error
// of bounded length, never a stack overflow (gopickle's List.String
// recurses into a list that holds itself).

// selfList is a list that contains itself: EMPTY_LIST, BINPUT 0, BINGET 0,
// APPEND.
const selfList = "]q\x00h\x00a"

// legacyMagicPickle is the first pickle of a legacy torch.save file: the
// magic number 0x1950a86a20f9469cfc6c as LONG1 (10 bytes little-endian).
var legacyMagicPickle = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19."

// sharedNest is a list of 2 references to a list of 2 references ... 40
// levels deep: 2^40 leaves when printed naively, a few hundred bytes here.
func sharedNest() string {
	var b strings.Builder
	b.WriteString("K\x01") // the int 1 at the bottom
	for range 40 {
		b.WriteString("q\x00(h\x00h\x00l") // memoize, MARK, get, get, LIST
	}
	return b.String()
}

// torchZip returns a torch.save-like zip archive whose data.pkl is pkl.
func torchZip(t testing.TB, pkl string, more map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("archive/data.pkl", pkl)
	for k, v := range more {
		add(k, v)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostilePickles are torch.save files whose decoding formats an unpickled
// value in an error message.
func hostilePickles(t testing.TB) map[string][]byte {
	return map[string][]byte{
		// The protocol pickle of a legacy file is a list holding itself.
		"legacy protocol": []byte(legacyMagicPickle + "\x80\x02" + selfList + "."),
		// A persistent id that is a list holding itself.
		"persistent id": torchZip(t, "\x80\x02"+selfList+"Q.", nil),
		// A dict whose key is a list holding itself (keys are listed).
		"dict key": torchZip(t, "\x80\x02}("+selfList+"K\x01u.", nil),
		// A dict with a tensor-less entry keyed by a shared nest.
		"shared nest key": torchZip(t, "\x80\x02}("+sharedNest()+"K\x01u.", nil),
		// The storage keys of a legacy file: a list holding itself.
		"legacy keys": []byte(legacyMagicPickle + "\x80\x02M\xe9\x03." + "\x80\x02}." + "\x80\x02}." + "\x80\x02]q\x00(h\x00h\x00e."),
		// REDUCE on a list: gopickle's message formats it with %#v (a Go
		// pointer, &types.List{...}).
		"reduce on a list":        torchZip(t, "\x80\x02"+selfList+")R.", nil),
		"reduce on a placeholder": torchZip(t, "\x80\x02cx\ny\n)\x81)R.", nil),
		// A persistent id tuple whose type field holds itself.
		"persistent id type": torchZip(t, "\x80\x02"+selfList+"q\x01(h\x01K\x01K\x02K\x03K\x04tQ.", nil),
	}
}

// TestHostilePicklesBoundedErrors decodes each hostile file: an error
// wrapping a sentinel, of bounded length. Before describePy bounded its
// output, "legacy protocol", "persistent id" and "dict key" ended in
// "fatal error: stack overflow", and "shared nest key" ran out of memory.
func TestHostilePicklesBoundedErrors(t *testing.T) {
	for name, b := range hostilePickles(t) {
		t.Run(name, func(t *testing.T) {
			sd, err := decodeStateDict("w.pt", b)
			if err == nil {
				t.Fatalf("decoded %d tensors from a hostile pickle", len(sd))
			}
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrNotStateDict) && !errors.Is(err, ErrTruncated) {
				t.Errorf("error %q wraps no sentinel", err)
			}
			if n := len(err.Error()); n > maxErrorText {
				t.Errorf("error of %d bytes, want at most %d", n, maxErrorText)
			}
			if s := err.Error(); strings.Contains(s, "(0x") || strings.Contains(s, "&{") || strings.Contains(s, "&types") || strings.Contains(s, "&cells") {
				t.Errorf("error shows a Go value: %q", s)
			}
			t.Log(err)
		})
	}
}

// TestPyStringBounded checks the describer on values that print without
// end: a list holding itself prints with "..." at the depth limit.
func TestPyStringBounded(t *testing.T) {
	sd, err := decodeStateDict("w.pt", torchZip(t, "\x80\x02}("+selfList+"K\x01u.", nil))
	if err == nil {
		t.Fatalf("decoded %v", sd.Names())
	}
	if !strings.Contains(err.Error(), "[[[[...]]]]") {
		t.Errorf("the self-referential key is not shown as nested lists cut at depth 4: %q", err)
	}
}

// TestRecoveredPanicNamesWhatFailed: a decoder's panic is reported as the
// file being malformed, not as the runtime's "slice bounds out of range".
func TestRecoveredPanicNamesWhatFailed(t *testing.T) {
	err := func() (err error) {
		defer recoverDecode("npz", &err)
		var s []int
		_ = s[:len(s)+1+len(s)*0]
		return nil
	}()
	if err == nil || !errors.Is(err, ErrFormat) {
		t.Fatalf("err %v, want ErrFormat", err)
	}
	if strings.Contains(err.Error(), "out of range") || !strings.Contains(err.Error(), "npz") {
		t.Errorf("message %q shows the runtime's text or does not name the format", err)
	}
}
