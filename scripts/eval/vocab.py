"""The engine's shipped word lists, to tell in-vocabulary names from the rest.

Real names are often in no list, so recall on names the engine cannot look
up is reported on its own. A planted PERSON value is out of vocabulary when
none of its tokens (split on spaces, ^ and hyphens, compared without case)
is an entry of any patterns/dict/*.txt file.
"""

import re
from pathlib import Path

TOKEN_SPLIT = re.compile(r"[\s^\-]+")


def load(dict_dir):
    """Every entry of every word list, lower-cased; `#` lines are comments.

    Lines of the `TYPE<TAB>label` lists count by their last field.
    """
    words = set()
    for path in sorted(Path(dict_dir).glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                words.add(line.split("\t")[-1].strip().lower())
    return words


def tokens(value):
    return [t.strip(".,;:()") for t in TOKEN_SPLIT.split(value) if t.strip(".,;:()")]


def is_oov(value, words):
    return not any(t.lower() in words for t in tokens(value))
