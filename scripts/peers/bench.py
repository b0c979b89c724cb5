"""Times whole commands on one file, interleaved round by round, and prints
each one's median wall time, MB/s and its ratio to redactd.

`python bench.py FILE ROUNDS NAME=CMD...`: each CMD is run by the shell with
FILE on stdin and stdout to /dev/null; a command that exits non-zero stops
the bench.
"""

import os
import statistics
import subprocess
import sys
import time


def main(argv):
    path, rounds, specs = argv[0], int(argv[1]), argv[2:]
    size = os.path.getsize(path)
    cmds = [s.split("=", 1) for s in specs]
    times = {name: [] for name, _ in cmds}
    for _ in range(rounds):
        for name, cmd in cmds:
            with open(path, "rb") as stdin:
                t0 = time.monotonic()
                done = subprocess.run(cmd, shell=True, stdin=stdin, stdout=subprocess.DEVNULL)
                elapsed = time.monotonic() - t0
            if done.returncode != 0:
                print(f"bench-peers: {name} exited {done.returncode}: {cmd}", file=sys.stderr)
                return 1
            times[name].append(elapsed)
    base = statistics.median(times[cmds[0][0]])
    print(f"file: {path}, {size / 1e6:.1f} MB, {rounds} rounds, medians")
    print(f"{'command':<12} {'seconds':>9} {'MB/s':>9} {'time vs redactd':>16}")
    for name, _ in cmds:
        med = statistics.median(times[name])
        ratio = med / base
        print(f"{name:<12} {med:>9.3f} {size / 1e6 / med:>9.1f} {ratio:>15.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
