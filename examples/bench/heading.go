package main

import (
	"fmt"
	"io"
	"strings"
)

// tableHead prints the start of a markdown table: "### title", note (a
// paragraph, if any) and the header row with its rule. A column whose name
// ends in ":" is right-aligned (numbers), as the rule's "---:" says; the
// others are left-aligned.
func tableHead(w io.Writer, title, note string, cols ...string) {
	fmt.Fprintf(w, "### %s\n\n", title)
	if note != "" {
		fmt.Fprintf(w, "%s\n\n", note)
	}
	var head, rule strings.Builder
	for _, c := range cols {
		name, right := strings.CutSuffix(c, ":")
		fmt.Fprintf(&head, "| %s ", name)
		rule.WriteString("|---")
		if right {
			rule.WriteString(":")
		}
	}
	fmt.Fprintf(w, "%s|\n%s|\n", head.String(), rule.String())
}
