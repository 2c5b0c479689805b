"""The agent under test of the fault-injection program: an http-json agent that is not BenchMesh's.

POST /agent/<tag>  {"input": "<benchmark>/<item>", ...}  -> after ~50 ms {"output": <input>, "usage": {...}}
GET  /calls/<tag>  -> {"<benchmark>": calls, ...}: calls received (counted on arrival: a call that arrived was paid)
GET  /clients      -> {"ports": [...]}: client ports of the calls answered in the last second (who is calling)
GET  /span/<tag>   -> {"calls": n, "seconds": s}: calls received and seconds from the first arrival to the last answer
usage: agent.py PORT [DELAY_SECONDS]   (the delay defaults to 0.05)
"""
import json
import sys
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DELAY_SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
lock = threading.Lock()
calls = defaultdict(lambda: defaultdict(int))
recent = {}
spans = {}  # tag -> [first arrival, last answer] (time.monotonic())


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as the runner's HttpClient expects; every answer carries Content-Length.
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not self.path.startswith("/agent/"):
            return self.answer(404, {"error": "unknown path"})
        tag = self.path[len("/agent/"):]
        text = str(json.loads(body).get("input", ""))
        with lock:
            calls[tag][text.split("/", 1)[0]] += 1
            recent[self.client_address[1]] = time.monotonic()
            spans.setdefault(tag, [time.monotonic(), 0.0])
        time.sleep(DELAY_SECONDS)
        self.answer(200, {"output": text, "usage": {"input_tokens": 12, "output_tokens": 4}})
        with lock:
            spans[tag][1] = time.monotonic()

    def do_GET(self):
        with lock:
            if self.path.startswith("/calls/"):
                payload = dict(calls.get(self.path[len("/calls/"):], {}))
            elif self.path.startswith("/span/"):
                tag = self.path[len("/span/"):]
                first, last = spans.get(tag, [0.0, 0.0])
                payload = {"calls": sum(calls.get(tag, {}).values()), "seconds": max(0.0, last - first)}
            elif self.path == "/clients":
                now = time.monotonic()
                payload = {"ports": [port for port, seen in recent.items() if now - seen <= 1.0]}
            else:
                return self.answer(404, {"error": "unknown path"})
        self.answer(200, payload)

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
