package finder

import (
	"fmt"
	"math"
	"slices"
)

// jsonCoverage is the top-level "coverage" object of FormatV1.
type jsonCoverage struct {
	Found           int     `json:"found"`
	Sampled         int     `json:"sampled"`
	Completed       int     `json:"completed"`
	SeenOnce        int     `json:"seen_once"`
	SeenTwice       int     `json:"seen_twice"`
	EstimatedUnseen float64 `json:"estimated_unseen"`
	Method          string  `json:"method"`
	StillFinding    bool    `json:"still_finding,omitempty"`
	Hits            []int   `json:"hits,omitempty"`
}

// jsonConnection is one entry of the top-level "connections" list.
type jsonConnection struct {
	From      int     `json:"from"`
	Mode      int     `json:"mode"`
	Direction float64 `json:"direction"`
	To        int     `json:"to"`
	End       string  `json:"end"`
	Steps     int     `json:"steps"`
}

func toJSONCoverage(c *Coverage) *jsonCoverage {
	if c == nil {
		return nil
	}
	return &jsonCoverage{Found: c.Found, Sampled: c.Sampled, Completed: c.Completed, SeenOnce: c.SeenOnce,
		SeenTwice: c.SeenTwice, EstimatedUnseen: c.EstimatedUnseen, Method: c.Method, StillFinding: c.StillFinding, Hits: c.Hits}
}

func fromJSONCoverage(j *jsonCoverage) *Coverage {
	if j == nil {
		return nil
	}
	return &Coverage{Found: j.Found, Sampled: j.Sampled, Completed: j.Completed, SeenOnce: j.SeenOnce,
		SeenTwice: j.SeenTwice, EstimatedUnseen: j.EstimatedUnseen, Method: j.Method, StillFinding: j.StillFinding, Hits: slices.Clone(j.Hits)}
}

func toJSONConnections(cs []Connection) []jsonConnection {
	if len(cs) == 0 {
		return nil
	}
	out := make([]jsonConnection, len(cs))
	for i, c := range cs {
		out[i] = jsonConnection(c)
	}
	return out
}

func fromJSONConnections(js []jsonConnection) []Connection {
	if len(js) == 0 {
		return nil
	}
	out := make([]Connection, len(js))
	for i, j := range js {
		out[i] = Connection(j)
	}
	return out
}

// checkGraph checks that the coverage and the connections refer to points
// that exist.
func (fp *FixedPoints) checkGraph() error {
	if c := fp.Coverage; c != nil {
		if c.Hits != nil && len(c.Hits) != len(fp.Points) {
			return fmt.Errorf("coverage: %d hit counts for %d points", len(c.Hits), len(fp.Points))
		}
		if c.EstimatedUnseen < 0 || math.IsNaN(c.EstimatedUnseen) || math.IsInf(c.EstimatedUnseen, 0) {
			return fmt.Errorf("coverage: estimated unseen %v, want a finite value >= 0", c.EstimatedUnseen)
		}
	}
	for i, c := range fp.Connections {
		if c.From < 0 || c.From >= len(fp.Points) || c.To < -1 || c.To >= len(fp.Points) {
			return fmt.Errorf("connection %d: from %d to %d, want point indices in [0, %d) (to may be -1)", i, c.From, c.To, len(fp.Points))
		}
		switch c.End {
		case EndStable, EndFixed, EndSlow, EndLeft, EndUnsettled:
		default:
			return fmt.Errorf("connection %d: unknown end %q", i, c.End)
		}
		if m := fp.Points[c.From].Modes; m != nil && (c.Mode < 0 || c.Mode >= len(m)) {
			return fmt.Errorf("connection %d: mode %d of a point with %d modes", i, c.Mode, len(m))
		}
	}
	return nil
}
