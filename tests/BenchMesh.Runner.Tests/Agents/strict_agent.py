#!/usr/bin/env python3
"""A strict agent on Python's own http.server, written without BenchMesh's code.

It reads exactly Content-Length bytes of each request body, as http.server does (chunked transfer encoding is not
understood: such a body reads as empty and its chunks are then taken for the next request), and keeps connections
alive (HTTP/1.1). It answers http-json (POST /agent) and openai-chat (POST .../v1/chat/completions, plain JSON)
and solves "What is A op B?", "Reverse: X" and "Uppercase: X". Every request is appended to the log file given as
the first argument, one JSON line {path, headers, body}, so a test can see the bytes the runner sent.

Usage: strict_agent.py LOG_FILE   (prints "listening PORT" once it accepts connections on 127.0.0.1)
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG_FILE = sys.argv[1]
ARITHMETIC = re.compile(r"(-?\d+)\s*([+\-*/])\s*(-?\d+)")


def solve(task):
    task = task.strip()
    if task.startswith("Reverse:"):
        return task[len("Reverse:"):].strip()[::-1]
    if task.startswith("Uppercase:"):
        return task[len("Uppercase:"):].strip().upper()
    match = ARITHMETIC.search(task)
    if match:
        a, op, b = int(match.group(1)), match.group(2), int(match.group(3))
        return str({"+": a + b, "-": a - b, "*": a * b, "/": a // b if b else 0}[op])
    return "I don't know"


def words(text):
    return len(text.split())


class Agent(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        with open(LOG_FILE, "a", encoding="utf-8") as log:
            log.write(json.dumps({"path": self.path, "headers": dict(self.headers), "body": raw.decode("utf-8", "replace")}) + "\n")
        try:
            body = json.loads(raw)
        except ValueError:
            return self.answer(400, {"error": "the body is not JSON (%d bytes read)" % len(raw)})

        if self.path.split("?")[0].endswith("/v1/chat/completions"):
            messages = body.get("messages") or []
            question = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
            prompt = sum(words(m.get("content", "")) for m in messages)
            output = solve(question)
            return self.answer(200, {
                "id": "chatcmpl-strict", "object": "chat.completion", "created": 1, "model": body.get("model", "strict"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": output}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": words(output), "total_tokens": prompt + words(output),
                          "prompt_tokens_details": {"cached_tokens": 2}},
            })

        output = solve(body.get("input", ""))
        return self.answer(200, {"output": output, "usage": {
            "input_tokens": words(body.get("input", "")), "output_tokens": words(output), "cached_tokens": 1}})

    def answer(self, status, payload):
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Agent)
print("listening %d" % server.server_address[1], flush=True)
server.serve_forever()
