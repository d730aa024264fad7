"""A tiny OpenAI-compatible ``/v1/embeddings`` server on loopback, backed by HashEmbedder.

Real code for tests and local demos of the ``openai`` backend where no OpenAI endpoint can
be reached: the real ``openai`` client talks real HTTP to it. It can be told to fail.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.embedding.hash_embedder import HashEmbedder


class FakeOpenAIEmbeddingServer:
    def __init__(self, dimension: int = 64) -> None:
        self.embedder = HashEmbedder(dimension)
        self.requests: list[dict] = []
        self.fail_with: int | None = None  # an HTTP status to answer every request with
        self.drop_one_vector = False  # answer with one vector too few
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "FakeOpenAIEmbeddingServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append(body)
                if fake.fail_with:
                    return self._send(fake.fail_with, {"error": {"message": "simulated failure", "type": "server_error"}})
                if self.path.rstrip("/") != "/v1/embeddings":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                vectors = fake.embedder.embed_documents(texts)
                if fake.drop_one_vector:
                    vectors = vectors[:-1]
                data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
                self._send(200, {"object": "list", "data": data, "model": body.get("model"),
                                 "usage": {"prompt_tokens": 0, "total_tokens": 0}})

            def _send(self, status: int, payload: dict) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        return Handler
