package fpjson

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// jsonFloat is a float64 that writes NaN and Inf as strings.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	return appendJSONFloat(nil, float64(f)), nil
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	v, err := parseJSONFloat(b)
	*f = jsonFloat(v)
	return err
}

// jsonFloats is a list of numbers written as jsonFloat writes one. It reads
// and writes the whole list itself: calling encoding/json once per number
// makes a set of 1024 analyzed points of 32 states take 10 s to read.
type jsonFloats []float64

func (v jsonFloats) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(v)*20)
	b = append(b, '[')
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONFloat(b, x)
	}
	return append(b, ']'), nil
}

func (v *jsonFloats) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = nil
		return nil
	}
	s := numScanner{b: b}
	out := []float64{}
	err := s.list(func() error {
		x, err := s.number()
		out = append(out, x)
		return err
	})
	*v = out
	return err
}

// jsonComplexes is a list of complex numbers, each written as [re, im].
type jsonComplexes []complex128

func (v jsonComplexes) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(v)*40)
	b = append(b, '[')
	for i, z := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendJSONFloat(b, real(z))
		b = append(b, ',')
		b = appendJSONFloat(b, imag(z))
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

func (v *jsonComplexes) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = nil
		return nil
	}
	s := numScanner{b: b}
	out := []complex128{}
	err := s.list(func() error {
		var pair [2]float64
		n := 0
		err := s.list(func() error {
			x, err := s.number()
			if n < 2 {
				pair[n] = x
			}
			n++
			return err
		})
		if err == nil && n != 2 {
			err = fmt.Errorf("complex number as %d values, want [re, im]", n)
		}
		out = append(out, complex(pair[0], pair[1]))
		return err
	})
	*v = out
	return err
}

// numScanner reads lists of numbers from one JSON value that the decoder
// has already checked to be valid JSON, so it only needs to tell lists,
// numbers and strings apart and find where each ends.
type numScanner struct {
	b []byte
	i int
}

func (s *numScanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// list reads '[' elem (',' elem)* ']', calling elem at each element.
func (s *numScanner) list(elem func() error) error {
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return fmt.Errorf("%.20s, want a list", s.b[s.i:])
	}
	s.i++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		s.space()
		if s.i >= len(s.b) {
			return fmt.Errorf("list not closed")
		}
		c := s.b[s.i]
		s.i++
		if c == ']' {
			return nil
		}
		if c != ',' {
			return fmt.Errorf("%q in a list, want ',' or ']'", c)
		}
	}
}

// number reads a number or a string naming NaN or Inf.
func (s *numScanner) number() (float64, error) {
	s.space()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '"' {
		for s.i++; s.i < len(s.b) && s.b[s.i] != '"'; s.i++ {
			if s.b[s.i] == '\\' {
				s.i++
			}
		}
		s.i = min(s.i+1, len(s.b))
	} else {
	number:
		for ; s.i < len(s.b); s.i++ {
			switch s.b[s.i] {
			case ',', ']', ' ', '\t', '\n', '\r':
				break number
			}
		}
	}
	return parseJSONFloat(s.b[start:s.i])
}

// appendJSONFloat appends x as encoding/json writes a float64 (the shortest
// decimal that reads back exactly), or as "NaN", "Infinity", "-Infinity".
func appendJSONFloat(b []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(b, `"NaN"`...)
	case math.IsInf(x, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(x, -1):
		return append(b, `"-Infinity"`...)
	}
	abs := math.Abs(x)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, x, format, -1, 64)
	if format == 'e' {
		// Shorten e-09 to e-9 as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// parseJSONFloat reads one valid JSON value that is a number or one of the
// strings appendJSONFloat writes for NaN and Inf.
func parseJSONFloat(b []byte) (float64, error) {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		switch s {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return 0, fmt.Errorf("number as string %q, want a number, \"NaN\", \"Infinity\" or \"-Infinity\"", s)
	}
	// A valid JSON value that starts with '-' or a digit is a JSON number,
	// whose syntax ParseFloat accepts.
	if len(b) == 0 || b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return 0, fmt.Errorf("%.20s, want a number", b)
	}
	x, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, fmt.Errorf("number %.30s out of range for float64", b)
	}
	return x, nil
}
