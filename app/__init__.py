
import os as _os

# ONNX Runtime (the bundled embedder) ships Microsoft's 1DS telemetry, which looks up
# mobile.events.data.microsoft.com from its own thread: switched off before it loads.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
