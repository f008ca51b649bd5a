package sweep

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Column is one column of the table: its name and its value in a row, nil
// when the row has none (a job without results, a count not known).
type Column struct {
	Name  string
	Value func(r *Row) any // nil, string, int, float64 or bool
}

// Columns returns the table's columns: job, input, u, cell, layers, n, m, status,
// find_status, candidates, fixed, stable, index_0 ... index_K (the largest
// saddle index seen), undecided, undecided_modes, marginal, not_analyzed,
// slow, unconverged, worst_residual,
// completed, estimated_unseen, seconds,
// meta.KEY for every meta key (sorted), error, weights, fixed_file.
func (t *Table) Columns() []Column {
	done := func(f func(r *Row) any) func(r *Row) any {
		return func(r *Row) any {
			if r.Status != StatusDone {
				return nil
			}
			return f(r)
		}
	}
	cols := []Column{
		{"job", func(r *Row) any { return r.Job }},
		{"input", done(func(r *Row) any { return r.Input })},
		{"u", done(func(r *Row) any { return formatVector(r.U) })},
		{"cell", func(r *Row) any { return r.Cell }},
		{"layers", done(func(r *Row) any { return r.Layers })},
		{"n", done(func(r *Row) any { return r.N })},
		{"m", done(func(r *Row) any { return r.M })},
		{"status", func(r *Row) any { return r.Status }},
		{"find_status", done(func(r *Row) any { return r.FindStatus })},
		{"candidates", done(func(r *Row) any { return r.Candidates })},
		{"fixed", done(func(r *Row) any { return r.Fixed })},
		{"stable", done(func(r *Row) any { return r.Stable })},
	}
	maxIndex := -1
	metaKeys := map[string]bool{}
	for i := range t.Rows {
		for k := range t.Rows[i].BySaddleIndex {
			maxIndex = max(maxIndex, k)
		}
		for k := range t.Rows[i].Meta {
			metaKeys[k] = true
		}
	}
	for k := 0; k <= maxIndex; k++ {
		cols = append(cols, Column{fmt.Sprintf("index_%d", k), done(func(r *Row) any { return r.BySaddleIndex[k] })})
	}
	cols = append(cols,
		Column{"undecided", done(func(r *Row) any { return r.Undecided })},
		Column{"undecided_modes", done(func(r *Row) any { return r.UndecidedModes })},
		Column{"marginal", done(func(r *Row) any { return r.Marginal })},
		Column{"not_analyzed", done(func(r *Row) any { return r.NotAnalyzed })},
		Column{"slow", done(func(r *Row) any { return r.Slow })},
		Column{"unconverged", done(func(r *Row) any { return r.Unconverged })},
		Column{"worst_residual", done(func(r *Row) any {
			if r.WorstResidual == nil {
				return nil
			}
			return *r.WorstResidual
		})},
		Column{"completed", done(func(r *Row) any {
			if r.Completed == nil {
				return nil
			}
			return *r.Completed
		})},
		Column{"estimated_unseen", done(func(r *Row) any {
			if r.EstimatedUnseen == nil {
				return nil
			}
			return *r.EstimatedUnseen
		})},
		Column{"seconds", done(func(r *Row) any { return r.Seconds })},
	)
	keys := make([]string, 0, len(metaKeys))
	for k := range metaKeys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		cols = append(cols, Column{"meta." + k, func(r *Row) any { return r.Meta[k] }})
	}
	return append(cols,
		Column{"error", func(r *Row) any { return r.Error }},
		Column{"weights", func(r *Row) any { return r.Weights }},
		Column{"fixed_file", done(func(r *Row) any { return r.FixedFile })},
	)
}

// formatVector writes v as [a,b,c] with the shortest round-trip numbers.
func formatVector(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return "[" + strings.Join(s, ",") + "]"
}

// formatCell writes one value for CSV: empty for nil.
func formatCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// WriteCSV writes the table as CSV with a header line (see Columns).
func (t *Table) WriteCSV(w io.Writer) error {
	cols := t.Columns()
	cw := csv.NewWriter(w)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.Name
	}
	cw.Write(rec)
	for r := range t.Rows {
		for i, c := range cols {
			rec[i] = formatCell(c.Value(&t.Rows[r]))
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("sweep: write csv: %w", err)
	}
	return nil
}

// WriteJSON writes the table as indented JSON (TableFormat).
func (t *Table) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(t); err != nil {
		return fmt.Errorf("sweep: write table json: %w", err)
	}
	return nil
}
