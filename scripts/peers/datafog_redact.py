"""DataFog's Rust backend over a JSONL/text file, one line at a time, the
way a user would wire it into a stream: stdin in, redacted lines out.

`python datafog_redact.py < in > out`
"""

import sys

from datafog import engine


def main():
    out = sys.stdout
    for line in sys.stdin:
        text = line.rstrip("\n")
        result = engine.scan_and_redact(text, engine="regex", backend="rust")
        out.write(result.redacted_text)
        out.write("\n")
    out.flush()


if __name__ == "__main__":
    main()
