package cells

import (
	"fmt"
	"regexp"

	"github.com/nlpodyssey/gopickle/pytorch"
)

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
