#!/bin/sh
# fetch.sh refreshes the JavaScript that every report embeds, from the npm
# registry, at pinned versions. Run from viz/ with `go generate` (see
# assets.go) or as `sh assets/fetch.sh`; needs npm, tar and sha256sum.
# The checksums pin the exact bytes: change them only together with the
# versions, after looking at what changed.
set -eu

ECHARTS=5.6.0
ECHARTS_GL=2.1.0
ZRENDER=5.6.1 # bundled inside echarts.min.js; fetched for its licence only
CLAYGL=1.3.0  # bundled inside echarts-gl.min.js; fetched for its licence only

ECHARTS_SHA=e1b82487dd7f8d9f0438eec1f1433051148e0095ac7a15d4db890afda45cf610
ECHARTS_GL_SHA=eac7673db9faa564b8b3fb2bfe62e1e496f2cf58b2f860bc0ef30702da193120

dst=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

npm pack --silent "echarts@$ECHARTS" "echarts-gl@$ECHARTS_GL" "zrender@$ZRENDER" "claygl@$CLAYGL" >/dev/null
echo "$ECHARTS_SHA  echarts-$ECHARTS.tgz" | sha256sum -c -
echo "$ECHARTS_GL_SHA  echarts-gl-$ECHARTS_GL.tgz" | sha256sum -c -

for p in echarts-$ECHARTS echarts-gl-$ECHARTS_GL zrender-$ZRENDER claygl-$CLAYGL; do
	mkdir "$p" && tar xzf "$p.tgz" -C "$p"
done

cp "echarts-$ECHARTS/package/dist/echarts.min.js" "$dst/echarts.min.js"
cp "echarts-gl-$ECHARTS_GL/package/dist/echarts-gl.min.js" "$dst/echarts-gl.min.js"
cp "echarts-$ECHARTS/package/LICENSE" "$dst/LICENSE-echarts"
cp "echarts-$ECHARTS/package/NOTICE" "$dst/NOTICE-echarts"
cp "echarts-$ECHARTS/package/licenses/LICENSE-d3" "$dst/LICENSE-d3"
cp "zrender-$ZRENDER/package/LICENSE" "$dst/LICENSE-zrender"
cp "echarts-gl-$ECHARTS_GL/package/LICENSE" "$dst/LICENSE-echarts-gl"
cp "claygl-$CLAYGL/package/LICENSE" "$dst/LICENSE-claygl"
