package cells

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"
)

// Limits of what an error message shows of a file's content. A pickle can
// hold a list that contains itself (gopickle's List.String then recurses
// until the stack overflows) or 40 levels of shared references (2^40
// leaves when printed), and a file can name a million tensors: so values
// from a file are never formatted with %v, only through these describers.
const (
	maxErrorText   = 2048 // bytes of an error's text (see boundText)
	describeDepth  = 4    // nesting levels of a described value
	describeItems  = 8    // items shown per list, tuple, dict or shape
	describeString = 40   // bytes shown of a string
)

// pyString describes an unpickled value in Python's notation, at most
// describeDepth levels deep and describeItems items wide: a list holding
// itself reads "[[[[...]]]]".
func pyString(v any) string {
	var b strings.Builder
	describeValue(&b, v, describeDepth)
	return boundText(b.String(), 200)
}

func describeValue(b *strings.Builder, v any, depth int) {
	if b.Len() > 200 {
		b.WriteString("...")
		return
	}
	seq := func(open, close string, n int, at func(int) any) {
		if depth == 0 {
			b.WriteString(open + "..." + close)
			return
		}
		b.WriteString(open)
		for i := 0; i < n; i++ {
			if i == describeItems {
				fmt.Fprintf(b, ", ... (%d items)", n)
				break
			}
			if i > 0 {
				b.WriteString(", ")
			}
			describeValue(b, at(i), depth-1)
		}
		b.WriteString(close)
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case *big.Int:
		if v.BitLen() > 64 {
			fmt.Fprintf(b, "<integer of %d bits>", v.BitLen())
		} else {
			b.WriteString(v.String())
		}
	case string:
		b.WriteString(quoted(v))
	case []byte:
		b.WriteString("b" + quoted(string(v)))
	case *types.List:
		seq("[", "]", len(*v), func(i int) any { return (*v)[i] })
	case *types.Tuple:
		seq("(", ")", v.Len(), v.Get)
	case *types.Dict:
		seq("{", "}", len(*v), func(i int) any { return dictEntry{(*v)[i].Key, (*v)[i].Value} })
	case *types.OrderedDict:
		fmt.Fprintf(b, "<OrderedDict of %d entries>", v.Len())
	case dictEntry:
		describeValue(b, v.k, depth)
		b.WriteString(": ")
		describeValue(b, v.v, depth)
	case *pytorch.Tensor:
		b.WriteString("<tensor of shape " + dims(v.Size) + ">")
	case *storageClass:
		b.WriteString("<" + v.name + " storage class>")
	case *placeholder:
		b.WriteString("<object of class " + boundText(v.className(), 80) + ">")
	case *placeholderClass:
		b.WriteString("<class " + boundText(v.module+"."+v.name, 80) + ">")
	default:
		fmt.Fprintf(b, "<%T>", v) // a type of ours or gopickle's: no content
	}
}

type dictEntry struct{ k, v any }

// quoted is s quoted, cut to describeString bytes.
func quoted(s string) string {
	if len(s) > describeString {
		return strconv.Quote(s[:describeString]) + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// dims formats a shape (or strides) read from a file, at most
// describeItems dimensions.
func dims(s []int) string {
	if len(s) <= describeItems {
		return fmt.Sprint(s)
	}
	return strings.TrimSuffix(fmt.Sprint(s[:describeItems]), "]") + fmt.Sprintf(" ... (%d dimensions)]", len(s))
}

// nameList lists at most describeItems of a state_dict's names, for
// messages ("have [...]"): a file may hold a million tensors.
func nameList(sd StateDict) string {
	names := sd.Names()
	var parts []string
	for i, n := range names {
		if i == describeItems {
			parts = append(parts, fmt.Sprintf("... (%d tensors)", len(names)))
			break
		}
		parts = append(parts, quoted(n))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// boundText cuts s to at most n bytes (on a rune boundary), saying how
// long it was: error texts copied into records and pages stay small.
func boundText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 40
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("... (%d bytes cut)", len(s)-cut)
}

func isRuneStart(c byte) bool { return c&0xC0 != 0x80 }

// BoundError returns err with its text cut to a bounded length (a few
// kilobytes), keeping what it wraps for errors.Is: for records and pages
// that copy error texts.
func BoundError(err error) error {
	if err == nil || len(err.Error()) <= maxErrorText {
		return err
	}
	return &boundedError{boundText(err.Error(), maxErrorText), err}
}

type boundedError struct {
	text string
	err  error
}

func (e *boundedError) Error() string { return e.text }
func (e *boundedError) Unwrap() error { return e.err }

// libText is the text of a third-party decoder's error, without the
// values it formats with %#v (gopickle writes "REDUCE requires a Callable
// object: &types.List{...}", a Go pointer or the file's content) and cut
// to a few hundred bytes.
func libText(err error) string {
	s := err.Error()
	for i := strings.Index(s, ": "); i >= 0; {
		rest := s[i+2:]
		if strings.HasPrefix(rest, "&") || strings.HasPrefix(rest, "(") || strings.Contains(rest, "0x") || strings.Contains(rest, "{") {
			s = s[:i]
			break
		}
		j := strings.Index(rest, ": ")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return boundText(s, 300)
}

// contentKind says what kind of content b is without showing any of it:
// an error about a file named in a manifest ("weights": "/etc/shadow")
// must not copy its first bytes into records and pages.
func contentKind(b []byte) string {
	if len(b) == 0 {
		return "the file is empty"
	}
	text := 0
	for _, c := range b[:min(len(b), 512)] {
		if c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f) {
			text++
		}
	}
	if text == min(len(b), 512) {
		return fmt.Sprintf("it is text, %d bytes", len(b))
	}
	return fmt.Sprintf("it is binary data of an unknown format, %d bytes", len(b))
}
