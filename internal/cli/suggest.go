package cli

import (
	"flag"
	"fmt"
	"strings"
)

// undefinedPrefix starts package flag's error for a flag fs does not have.
const undefinedPrefix = "flag provided but not defined: -"

// withSuggestion adds "(did you mean -NAME?)" to package flag's error for
// an undefined flag when fs has one flag that is plainly meant: the same
// name with a word before or after it (-inits for -n-inits), or a typo of
// it (at most three letters changed, added or removed, fewer in a short
// name).
func withSuggestion(fs *flag.FlagSet, err error) error {
	name, ok := strings.CutPrefix(err.Error(), undefinedPrefix)
	if !ok || name == "" {
		return err
	}
	if s := suggest(fs, name); s != "" {
		return fmt.Errorf("%w (did you mean -%s?)", err, s)
	}
	return err
}

// suggest returns the one flag of fs that name most likely means, or "".
func suggest(fs *flag.FlagSet, name string) string {
	name = strings.TrimLeft(name, "-")
	var affix, typo []string
	best := 3 // the most letters a typo changes
	fs.VisitAll(func(f *flag.Flag) {
		switch d := editDistance(name, f.Name); {
		case strings.HasSuffix(f.Name, "-"+name) || strings.HasPrefix(f.Name, name+"-"):
			affix = append(affix, f.Name)
		case d < best:
			best, typo = d, []string{f.Name}
		case d == best:
			typo = append(typo, f.Name)
		}
	})
	switch {
	case len(affix) == 1:
		return affix[0]
	case len(affix) == 0 && len(typo) == 1 && len(name) >= 2*best:
		return typo[0]
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
