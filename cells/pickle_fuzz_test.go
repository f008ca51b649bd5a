package cells

import (
	"strings"
	"testing"
)

// FuzzReadPickle feeds a pickle to the torch.save reader twice: as the
// data.pkl of a zip archive and as the object of a legacy file. It must
// return a state_dict or an error of bounded length, never a panic, a
// stack overflow or unbounded memory. The seeds are the pickles that broke
// it (a list, a dict key and a persistent id that contain themselves) and
// bombs: 40 levels of shared references (2^40 leaves if printed), 100 000
// nested lists, lengths announcing 4 GiB.
func FuzzReadPickle(f *testing.F) {
	f.Add([]byte("\x80\x02" + selfList + "."))
	f.Add([]byte("\x80\x02" + selfList + "Q."))
	f.Add([]byte("\x80\x02}(" + selfList + "K\x01u."))
	f.Add([]byte("\x80\x02}(" + sharedNest() + "K\x01u."))
	f.Add([]byte("\x80\x02" + selfList + "q\x01(h\x01K\x01K\x02K\x03K\x04tQ."))
	f.Add([]byte("\x80\x02" + strings.Repeat("(", 100_000) + strings.Repeat("l", 100_000) + "."))
	f.Add([]byte("\x80\x02" + strings.Repeat("]q\x00h\x00h\x00a", 1000) + "."))
	f.Add([]byte("\x80\x02\x8b\xff\xff\xff\xff."))                 // LONG4 of 4 GiB
	f.Add([]byte("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f.")) // BINUNICODE8
	f.Add([]byte("\x80\x02}q\x00X\x01\x00\x00\x00ah\x00s."))       // a dict holding itself
	f.Add([]byte("\x80\x02cos\nsystem\nX\x02\x00\x00\x00idR."))    // a call, never made
	f.Fuzz(func(t *testing.T, pkl []byte) {
		for _, b := range [][]byte{
			torchZip(t, string(pkl), nil),
			[]byte(legacyMagicPickle + "\x80\x02M\xe9\x03." + "\x80\x02}." + string(pkl)),
		} {
			sd, err := decodeStateDict("w.pt", b)
			if err != nil {
				if n := len(err.Error()); n > maxErrorText {
					t.Fatalf("error of %d bytes", n)
				}
				if sd != nil {
					t.Fatalf("error %q with a state_dict", err)
				}
				continue
			}
			for k, v := range sd {
				if err := checkTensor(k, v); err != nil {
					t.Fatalf("decoded an inconsistent tensor: %v", err)
				}
			}
		}
	})
}
