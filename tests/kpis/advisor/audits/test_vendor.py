"""The plotly.js the audit result loads for its polar chart: built from the same plotly.js
version as the installed plotly package's, and the file its note describes."""

import hashlib
import re
from pathlib import Path

import plotly

VENDOR = Path(__file__).resolve().parents[4] / "static" / "vendor"


def test_the_polar_bundle_is_the_installed_plotly_js_version() -> None:
    bundle = (VENDOR / "plotly-polar.min.js").read_bytes()
    installed = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    version = re.search(rb"plotly\.js v(\S+)", installed[:200])
    assert version, "plotly's bundle no longer names its version in its first lines"
    assert bundle.startswith(
        b"/**\n* plotly.js (core and scatterpolar - minified) v" + version.group(1) + b"\n"
    )
    note = (VENDOR / "plotly-polar.VERSION").read_text()
    assert hashlib.sha256(bundle).hexdigest() in note
    assert f"plotly.js {version.group(1).decode()} (npm)" in note
    assert (VENDOR / "plotly-polar.LICENSE").read_text().startswith("MIT License")
