"""The `beacon` command line and its output formats (the JSON contracts). The only place that imports click."""
