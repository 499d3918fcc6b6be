"""A local HTTP receiver for the webhook tests: it records each POST (headers and body) and answers with
the status codes it is given, in order (200 once they run out); it can hold a request until released. It
checks signatures with the README's own snippet (section "Webhooks"), so the snippet is tested too."""

import contextlib
import dataclasses
import http.server
import pathlib
import re
import threading

RECEIVED_TIMEOUT = 30
README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def _readme_verification():
    section = README.read_text().split("### Webhooks", 1)[1]
    (snippet,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 (the repository's own README)
    return namespace["verified"]


verified = _readme_verification()


@dataclasses.dataclass
class Received:
    headers: dict
    body: bytes

    def signature_valid(self, secret: str) -> bool:
        """The check a receiver makes (README, "Webhooks"); the tests move the clock, so no replay window."""
        return verified(secret, self.headers, self.body, tolerance=10**10)


class Receiver:
    def __init__(self, answers=(), answer_body=b"ok"):
        self.answers = list(answers)
        self.answer_body = answer_body
        self.received: list[Received] = []
        self.arrived = threading.Condition()
        # Set: requests wait (unanswered) until it is cleared by release().
        self.holding = threading.Event()
        # Seconds between the bytes of an answer sent a byte at a time (None: all at once).
        self.trickle: float | None = None
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
                if receiver.trickle:
                    self._trickle(code)
                    return
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", str(len(receiver.answer_body)))
                    self.end_headers()
                    self.wfile.write(receiver.answer_body)
                except OSError:
                    pass  # the sender is gone (a killed worker)

            def _trickle(self, code):
                answer = f"HTTP/1.1 {code} OK\r\nContent-Length: 2\r\n\r\nok".encode()
                pace = threading.Event()
                try:
                    for byte in answer:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        pace.wait(receiver.trickle)
                except OSError:
                    pass  # the sender gave up

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
