"""A local HTTP receiver for the webhook tests: it records each POST (headers and body) and answers with
the status codes it is given, in order (200 once they run out); it can hold a request until released."""

import contextlib
import dataclasses
import hashlib
import hmac
import http.server
import threading

RECEIVED_TIMEOUT = 30


@dataclasses.dataclass
class Received:
    headers: dict
    body: bytes

    def signature_valid(self, secret: str) -> bool:
        """The check a receiver makes (README, "Webhooks")."""
        timestamp = self.headers["X-Registry-Timestamp"]
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"sha256={expected}", self.headers["X-Registry-Signature"])


class Receiver:
    def __init__(self, answers=(), answer_body=b"ok"):
        self.answers = list(answers)
        self.answer_body = answer_body
        self.received: list[Received] = []
        self.arrived = threading.Condition()
        # Set: requests wait (unanswered) until it is cleared by release().
        self.holding = threading.Event()
        self._released = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def release(self):
        self.holding.clear()
        self._released.set()

    def wait_for(self, count: int) -> list[Received]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.received) >= count, timeout=RECEIVED_TIMEOUT), (
                f"the receiver got {len(self.received)} of {count} deliveries"
            )
            return list(self.received)

    @contextlib.contextmanager
    def running(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.arrived:
                    receiver.received.append(Received(dict(self.headers), body))
                    receiver.arrived.notify_all()
                if receiver.holding.is_set():
                    receiver._released.wait(RECEIVED_TIMEOUT)
                code = receiver.answers.pop(0) if receiver.answers else 200
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", str(len(receiver.answer_body)))
                    self.end_headers()
                    self.wfile.write(receiver.answer_body)
                except OSError:
                    pass  # the sender is gone (a killed worker)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.release()
            self.server.shutdown()
            self.server.server_close()
