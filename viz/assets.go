package viz

import _ "embed"

// The scripts every report inlines; see assets/README.md for where they come
// from and how to refresh them.

//go:generate sh assets/fetch.sh

//go:embed assets/echarts.min.js
var echartsJS string

//go:embed assets/echarts-gl.min.js
var echartsGLJS string
