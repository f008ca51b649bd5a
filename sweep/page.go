package sweep

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/rnnfp/fixedpoints/internal/atomicfile"
	"github.com/rnnfp/fixedpoints/viz"

	"github.com/rnnfp/fixedpoints/internal/plural"
)

// Names of the files Save writes.
const (
	TableCSV  = "sweep-table.csv"
	TableJSON = "sweep-table.json"
	TableHTML = "sweep-report.html"
)

// Comparison returns the HTML page of the table: every column, sortable,
// and the number of fixed points plotted against column x (empty: the first
// meta column, else n).
func (t *Table) Comparison(title, x string) *viz.Comparison {
	cols := t.Columns()
	// Points grouped by input vector: a legend entry for each.
	c := &viz.Comparison{Title: title, Y: "fixed", X: x, Label: "job", Group: "u"}
	for _, col := range cols {
		c.Columns = append(c.Columns, col.Name)
		if c.X == "" && len(col.Name) > 5 && col.Name[:5] == "meta." {
			c.X = col.Name
		}
	}
	if c.X == "" {
		c.X = "n"
	}
	for i := range t.Rows {
		row := make([]any, len(cols))
		for k, col := range cols {
			row[k] = col.Value(&t.Rows[i])
		}
		c.Rows = append(c.Rows, row)
	}
	c.Notes = append(c.Notes, fmt.Sprintf("%s: %d done, %d failed, %d missing", plural.Of(t.Jobs, "job"), t.Done, len(t.Failed), len(t.Missing)))
	for _, p := range t.Failed {
		c.Notes = append(c.Notes, fmt.Sprintf("failed: %s: %s", p.Job, p.Reason))
	}
	for _, p := range t.Missing {
		c.Notes = append(c.Notes, fmt.Sprintf("missing: %s: %s", p.Job, p.Reason))
	}
	for _, id := range t.Unknown {
		c.Notes = append(c.Notes, fmt.Sprintf("not in the manifest: %s", id))
	}
	return c
}

// Save writes the table into dir as TableCSV, TableJSON and TableHTML
// (scatter against column x, see Comparison), as one set (atomicfile.Set:
// the three replace an earlier merge's together or not at all), and
// returns their paths.
func (t *Table) Save(dir, title, x string) ([]string, error) {
	var csvBuf, jsonBuf bytes.Buffer
	if err := t.WriteCSV(&csvBuf); err != nil {
		return nil, err
	}
	if err := t.WriteJSON(&jsonBuf); err != nil {
		return nil, err
	}
	set, err := atomicfile.NewSet(dir)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	defer set.Abort()
	for _, f := range []struct {
		name string
		b    []byte
	}{{TableCSV, csvBuf.Bytes()}, {TableJSON, jsonBuf.Bytes()}} {
		if err := atomicfile.WriteBytes(filepath.Join(set.Stage(), f.name), f.b); err != nil {
			return nil, fmt.Errorf("sweep: write %s: %w", f.name, err)
		}
	}
	if err := t.Comparison(title, x).WriteFile(filepath.Join(set.Stage(), TableHTML)); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	if err := set.Commit(); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	return []string{set.Path(TableCSV), set.Path(TableJSON), set.Path(TableHTML)}, nil
}
