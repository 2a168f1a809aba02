#!/usr/bin/env bash
# Builds static/vendor/plotly-polar.min.js: plotly.js's core (scatter) and its scatterpolar
# trace, for the capability audit's radar. The dashboard's basic bundle cannot draw polar
# charts and the full bundle is three times the bytes. Run by hand when plotly is upgraded
# (never by make or CI); it needs node and npm. The version follows the installed plotly
# package's own plotly.js, which kaleido draws the review's charts with.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=${1:-$("$ROOT/.venv/bin/python" -c 'import re, plotly, pathlib; print(re.search(r"plotly\.js v(\S+)", (pathlib.Path(plotly.__file__).parent / "package_data/plotly.min.js").read_text()[:200]).group(1))')}
# A fixed folder: the inlined styles' ids hash their path, and the same path gives the same file.
WORK=/tmp/race-planner-plotly-polar
rm -rf "$WORK" && mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --silent "plotly.js@$VERSION" >/dev/null
tar xzf "plotly.js-$VERSION.tgz"
cd package
npm install --silent --omit=dev --ignore-scripts --no-audit --no-fund
npm install --silent --no-save --ignore-scripts --no-audit --no-fund esbuild@0.28.2 \
  esbuild-plugin-inline-css@0.0.1 esbuild-plugin-glsl@1.4.2 esbuild-plugin-environment@0.5.0 \
  stream-browserify@3.0.0
cat > lib/index-polar.js <<'JS'
'use strict';
var Plotly = require('./core');  // scatter comes with the core
Plotly.register([require('./scatterpolar')]);
module.exports = Plotly;
JS
# plotly.js's own esbuild settings (esbuild-config.js, esbuildConfig), minified, with its banner.
cat > build-polar.js <<'JS'
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const version = require('./package.json').version;
esbuild.build({
  entryPoints: ['./lib/index-polar.js'],
  outfile: process.argv[2],
  format: 'iife',
  globalName: 'Plotly',
  bundle: true,
  minify: true,
  sourcemap: false,
  plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false' },
  target: 'es2016',
  logLevel: 'warning',
  banner: { js: `/**\n* plotly.js (core and scatterpolar - minified) v${version}\n* Copyright 2012-2026, Plotly, Inc.\n* All rights reserved.\n* Licensed under the MIT license\n*/` },
});
JS
node build-polar.js "$ROOT/static/vendor/plotly-polar.min.js"
cp LICENSE "$ROOT/static/vendor/plotly-polar.LICENSE"
echo "built plotly.js $VERSION: $(sha256sum "$ROOT/static/vendor/plotly-polar.min.js")"
