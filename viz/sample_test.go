package viz

// sampleReport is the flip-flop-like report of the size and browser
// tests: 50 trials x 64 steps x N = 32, 27 fixed points, 3 slow points.
func sampleReport() *Report {
	r := embedded(32, 50, 64, 1)
	r.Trial = flipFlopTrial(64)
	r.Summary = []Row{{"network", "synthetic flip-flop, N = 32"}, {"search time", "1.2s"}}
	return r
}

// hostile is text that would run script if it reached the page unescaped.
const hostile = `</script><script>window.pwned=1;alert(1)</script><img src=x onerror="window.pwned=2">&amp;'"`

// hostileReport puts hostile text everywhere a caller's text goes.
func hostileReport() *Report {
	r := &Report{Title: hostile, Fixed: flipFlop3()}
	r.Trial = flipFlopTrial(8)
	r.Trial.Channels = []string{hostile, hostile, hostile}
	r.Summary = []Row{{hostile, hostile}}
	return r
}
