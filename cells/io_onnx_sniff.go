package cells

// looksLikeONNX reports whether b starts as an ONNX ModelProto usually does:
// field 1 (ir_version, a varint) or field 8 (opset_import) first, and a
// graph (field 7) somewhere. It is a hint for choosing the reader; the ONNX
// decoder decides.
func looksLikeONNX(b []byte) bool {
	if len(b) < 4 || (b[0] != 0x08 && b[0] != 0x42) {
		return false
	}
	return b[0] == 0x08 && b[1] >= 1 && b[1] <= 20
}
