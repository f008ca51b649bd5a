package fpjson

import (
	"slices"

	"github.com/rnnfp/fixedpoints/finder"
)

// jsonCoverage is the top-level "coverage" object of Format.
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

func toJSONCoverage(c *finder.Coverage) *jsonCoverage {
	if c == nil {
		return nil
	}
	return &jsonCoverage{Found: c.Found, Sampled: c.Sampled, Completed: c.Completed, SeenOnce: c.SeenOnce,
		SeenTwice: c.SeenTwice, EstimatedUnseen: c.EstimatedUnseen, Method: c.Method, StillFinding: c.StillFinding, Hits: c.Hits}
}

func fromJSONCoverage(j *jsonCoverage) *finder.Coverage {
	if j == nil {
		return nil
	}
	return &finder.Coverage{Found: j.Found, Sampled: j.Sampled, Completed: j.Completed, SeenOnce: j.SeenOnce,
		SeenTwice: j.SeenTwice, EstimatedUnseen: j.EstimatedUnseen, Method: j.Method, StillFinding: j.StillFinding, Hits: slices.Clone(j.Hits)}
}

func toJSONConnections(cs []finder.Connection) []jsonConnection {
	if len(cs) == 0 {
		return nil
	}
	out := make([]jsonConnection, len(cs))
	for i, c := range cs {
		out[i] = jsonConnection(c)
	}
	return out
}

func fromJSONConnections(js []jsonConnection) []finder.Connection {
	if len(js) == 0 {
		return nil
	}
	out := make([]finder.Connection, len(js))
	for i, j := range js {
		out[i] = finder.Connection(j)
	}
	return out
}
