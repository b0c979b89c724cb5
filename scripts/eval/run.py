"""Feeds every record to the binary in one `redact` run, as a topic would."""

import subprocess
import time


class RunError(Exception):
    pass


def redact(binary, lines):
    """The output lines of `binary redact` over `lines` and the wall time it took.

    The line protocol promises exactly one output line per input line, in
    order; anything else makes the per-record scores meaningless, so it is
    an error here rather than a figure.
    """
    data = "".join(line + "\n" for line in lines).encode()
    start = time.monotonic()
    proc = subprocess.run([str(binary), "redact"], input=data, capture_output=True, check=False)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise RunError(f"{binary} redact exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-2000:]}")
    text = proc.stdout.decode("utf-8", errors="replace")
    out = text.split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) != len(lines):
        raise RunError(f"{binary} redact printed {len(out)} lines for {len(lines)} records")
    return out, seconds
