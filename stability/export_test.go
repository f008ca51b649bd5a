package stability

// Test helpers for the external tests (package stability_test), which
// may import finder: CheckAgainstBig compares an enclosure with the
// independent big.Float eigenvalues (see checkAgainstBig).
var CheckAgainstBig = checkAgainstBig
