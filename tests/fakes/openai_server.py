"""A tiny OpenAI-compatible server on loopback: ``/v1/embeddings`` backed by HashEmbedder
and ``/v1/chat/completions`` (plain and streamed) answering from a queue of replies.

Real code for tests of the ``openai`` backends where no OpenAI endpoint can be reached:
the real ``openai`` client talks real HTTP to it. Streams are HTTP/1.1 chunked, as real
servers send them. It can be told to fail, to stall before answering or in the middle of a
streamed reply, or to drop the connection in the middle of one (mid-chunk, so the client
sees a broken transfer, not a clean end), to fail only the first few requests, or to answer
with garbage.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.index.embedding.hash_embedder import HashEmbedder


class FakeOpenAIServer:
    def __init__(self, dimension: int = 64) -> None:
        self.embedder = HashEmbedder(dimension)
        self.requests: list[dict] = []
        self.fail_with: int | None = None  # an HTTP status to answer every request with
        self.fail_times = 0  # with fail_with: fail only this many requests, then answer (0: fail them all)
        self.garbage = False  # answer chat requests with 200 and a body that is not an API reply
        self.drop_one_vector = False  # answer with one vector too few
        self.replies: list[str] = []  # chat replies, first in first out
        self.default_reply = ""  # the reply once the queue is empty
        self.stall_seconds = 0.0  # wait this long before answering a chat request
        self.cut_stream_after = None  # close the connection after this many streamed pieces
        self.stall_mid_stream_seconds = 0.0  # wait this long after the first streamed piece
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "FakeOpenAIServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, like a real server

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append(body)
                if fake.fail_with:
                    failed = sum(1 for _ in fake.requests) - 1  # requests before this one
                    if not fake.fail_times or failed < fake.fail_times:
                        return self._send(fake.fail_with, {"error": {"message": "simulated failure",
                                                                     "type": "server_error"}})
                if fake.garbage and self.path.rstrip("/") == "/v1/chat/completions":
                    raw = b"<html>502 upstream sent nonsense</html>\ndata: {not json\n\n"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                    return
                if self.path.rstrip("/") == "/v1/chat/completions":
                    try:
                        return self._chat(body)
                    except (BrokenPipeError, ConnectionResetError):
                        self.close_connection = True  # the client gave up (a timeout test): nothing to answer
                        return
                if self.path.rstrip("/") != "/v1/embeddings":
                    return self._send(404, {"error": {"message": f"no route {self.path}"}})
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                vectors = fake.embedder.embed_documents(texts)
                if fake.drop_one_vector:
                    vectors = vectors[:-1]
                data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
                self._send(200, {"object": "list", "data": data, "model": body.get("model"),
                                 "usage": {"prompt_tokens": 0, "total_tokens": 0}})

            def _chat(self, body: dict) -> None:
                time.sleep(fake.stall_seconds)
                reply = fake.replies.pop(0) if fake.replies else fake.default_reply
                if not body.get("stream"):
                    return self._send(200, {"id": "chat-1", "object": "chat.completion", "created": 0,
                                            "model": body.get("model"), "choices": [{"index": 0, "finish_reason": "stop",
                                            "message": {"role": "assistant", "content": reply}}]})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = [reply[i : i + 8] for i in range(0, len(reply), 8)]
                for number, piece in enumerate(pieces):
                    if fake.cut_stream_after is not None and number == fake.cut_stream_after:
                        self.wfile.write(b"400\r\ndata: {")  # a chunk that promises more than it holds
                        self.wfile.flush()
                        self.connection.shutdown(2)  # the server dies mid-answer
                        self.close_connection = True
                        return
                    if number == 1 and fake.stall_mid_stream_seconds:
                        time.sleep(fake.stall_mid_stream_seconds)
                    event = {"id": "chat-1", "object": "chat.completion.chunk", "created": 0, "model": body.get("model"),
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self._chunk(f"data: {json.dumps(event)}\n\n")
                final = {"id": "chat-1", "object": "chat.completion.chunk", "created": 0, "model": body.get("model"),
                         "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self._chunk(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def _chunk(self, text: str) -> None:
                raw = text.encode()
                self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
                self.wfile.flush()

            def _send(self, status: int, payload: dict) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        return Handler
