// Package plural writes counts of things in English: "1 input", "2
// inputs", "1 certified fixed point". It is shared by every package that
// prints counts, so that none says "1 inputs".
package plural

import (
	"strconv"
	"strings"
)

// irregular are the plurals that adding "s" gets wrong.
var irregular = map[string]string{"branch": "branches", "bifurcation": "bifurcations", "matrix": "matrices", "index": "indices"}

// Of returns n followed by noun, plural unless n is 1. The last word of
// noun is made plural: Of(2, "fixed point") is "2 fixed points".
func Of(n int, noun string) string {
	return strconv.Itoa(n) + " " + Word(n, noun)
}

// Word returns noun, its last word plural unless n is 1.
func Word(n int, noun string) string {
	if n == 1 || n == -1 {
		return noun
	}
	i := strings.LastIndexByte(noun, ' ') + 1
	head, last := noun[:i], noun[i:]
	if p, ok := irregular[last]; ok {
		return head + p
	}
	if strings.HasSuffix(last, "s") || strings.HasSuffix(last, "x") || strings.HasSuffix(last, "ch") {
		return head + last + "es"
	}
	return head + last + "s"
}
