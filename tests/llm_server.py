"""A scripted OpenAI-compatible chat-completions server on loopback, for LLM-path tests.

It speaks the real wire protocol (JSON and server-sent-event streaming); replies come
from a queue the test fills, every request body is recorded, and so is how each streamed
reply ended (all sent, or the client hung up).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Streamed:
    """One streamed reply: its pieces (one a word), how many were written, how it ended."""

    total: int
    written: int = 0
    hung_up: bool = False  # the client closed the connection before the last piece
    ended: threading.Event = field(default_factory=threading.Event)


class ScriptedLLM:
    """Serve scripted replies at http://127.0.0.1:PORT/v1/chat/completions."""

    def __init__(self) -> None:
        self.replies: deque[str] = deque()
        self.requests: list[dict[str, Any]] = []
        self.delay_s = 0.0
        self.piece_delay_s = 0.0  # pause before each streamed piece (a slow model)
        self.streams: list[Streamed] = []
        self.resets = 0  # a request still waiting from before a reset is dropped
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (ends in /v1)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def settings(self) -> dict[str, object]:
        """Settings that offer this endpoint as the `llm` answerer."""
        return {"llm_base_url": self.base_url, "llm_model": "scripted", "llm_timeout": 10.0}

    def start(self) -> ScriptedLLM:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        """No replies queued, no requests or streams recorded, no delays."""
        self.resets += 1
        self.replies.clear()
        self.requests.clear()
        self.streams.clear()
        self.delay_s = self.piece_delay_s = 0.0

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_Handler,), {"owner": self})


class _Handler(BaseHTTPRequestHandler):
    """Answers chat-completion requests from its `owner`'s queue of replies."""

    owner: ScriptedLLM

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.owner.requests.append(body)
        reply = self.owner.replies.popleft() if self.owner.replies else "NOT_IN_CORPUS"
        since = self.owner.resets
        time.sleep(self.owner.delay_s)
        if self.owner.resets != since:
            return  # its test is over (a timeout test): neither its reply nor its stream is kept
        try:
            if body.get("stream"):
                self._stream(body["model"], reply)
            else:
                self._json(body["model"], reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing left to send

    def _json(self, model: str, reply: str) -> None:
        payload = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": reply},
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, model: str, reply: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        words = reply.split(" ")
        pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
        streamed = Streamed(total=len(pieces))
        self.owner.streams.append(streamed)
        try:
            self._pieces(model, pieces, streamed)
        except (BrokenPipeError, ConnectionResetError):
            streamed.hung_up = True
            raise
        finally:
            streamed.ended.set()

    def _pieces(self, model: str, pieces: list[str], streamed: Streamed) -> None:
        for i, piece in enumerate([*pieces, None]):
            time.sleep(self.owner.piece_delay_s if piece is not None else 0)
            delta = {"content": piece} if piece is not None else {}
            if i == 0:
                delta["role"] = "assistant"
            chunk = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "delta": delta,
                        "finish_reason": None if piece is not None else "stop",
                    }
                ],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            streamed.written += piece is not None
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
