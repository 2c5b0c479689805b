#!/usr/bin/python3
"""A sample BenchMesh process agent: arithmetic answered by bc, Debian's calculator.

It speaks the process protocol (docs/api.md, "Process agents"): the runner writes {"input", "configuration",
"messages"?} and reads {"output", "usage"?}. By default it answers one request (per_call: the request on stdin, the
answer on stdout); with --json-lines it answers one request per line until stdin closes (json_lines mode).

The arithmetic expression is taken from the input ("What is 12 * (3 + 4)?" -> 12 * (3 + 4)) and computed by bc in a
child process: the runner's memory and CPU figures cover the whole tree, adapter and bc.

Test modes, to show the runner's limits at work (each one still answers through bc afterwards):
  --hog-mb N         touch N MB of memory, 8 MB at a time, before answering (memory_limit_mb)
  --sleep-seconds S  start `sleep S` as a child and wait for it (time_limit_ms: the runner kills the tree)
  --pid-file PATH    append this process's pid and its children's pids to PATH, one per line
  --exit-code C      write a complaint to stderr and exit with code C instead of answering
"""
import argparse
import json
import os
import re
import subprocess
import sys

EXPRESSION = re.compile(r"[0-9.][0-9.+\-*/%^() ]*")


def record_pid(path, pid):
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{pid}\n")


def compute(text):
    """The longest arithmetic expression in the text, computed by bc (scale 6, trailing zeros dropped)."""
    candidates = [m.group(0).strip() for m in EXPRESSION.finditer(text)]
    expression = max(candidates, key=len, default="")
    if not expression:
        return ""
    done = subprocess.run(["bc", "-q"], input=f"scale=6\n{expression}\n", capture_output=True, text=True, check=False)
    answer = done.stdout.strip().replace("\\\n", "")
    if "." in answer:
        answer = answer.rstrip("0").rstrip(".")
    if answer.startswith("."):
        answer = "0" + answer
    if answer.startswith("-."):
        answer = "-0" + answer[1:]
    return answer or done.stderr.strip()


def answer(request, args):
    record_pid(args.pid_file, os.getpid())
    if args.exit_code is not None:
        print("calculator: asked to fail", file=sys.stderr)
        sys.exit(args.exit_code)
    # Grown 8 MB at a time, as a program that keeps allocating does; b"x" * n writes every page, so the memory is
    # resident, not merely reserved.
    hog = [b"x" * (8 * 1024 * 1024) for _ in range(args.hog_mb // 8)]
    if args.sleep_seconds:
        child = subprocess.Popen(["sleep", str(args.sleep_seconds)])
        record_pid(args.pid_file, child.pid)
        child.wait()
    output = compute(str(request.get("input", "")))
    del hog
    return {"output": output}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json-lines", action="store_true")
    parser.add_argument("--hog-mb", type=int, default=0)
    parser.add_argument("--sleep-seconds", type=float, default=0)
    parser.add_argument("--pid-file")
    parser.add_argument("--exit-code", type=int)
    args = parser.parse_args()
    if not args.json_lines:
        json.dump(answer(json.load(sys.stdin), args), sys.stdout)
        return
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(answer(json.loads(line), args)), flush=True)


if __name__ == "__main__":
    main()
