"""The engine's shipped word lists, to tell in-vocabulary names from the rest.

Real names are often in no list, so recall on names the engine cannot look
up is reported on its own. A planted PERSON value is out of vocabulary when
none of its tokens (split on spaces, ^ and hyphens, compared without case)
is an entry of any patterns/dict/*.txt file.
"""

import re
from pathlib import Path

TOKEN_SPLIT = re.compile(r"[\s^\-]+")

# Lists that are no vocabulary of names, left out so that the OOV figure
# stays about names the dictionaries know: the hand-written function words,
# JSON keys, titles, particles, street and context words of the name rules
# (code in src/detect/names.rs until they moved here) and the validators'
# tables (IBAN lengths, CURP state codes); likewise the name particles of
# labels.txt (`@particle<TAB>van`).
NOT_VOCABULARY = {
    "curp_states.txt",
    "function_words.txt",
    "iban_lengths.txt",
    "name_fields.txt",
    "person_words.txt",
    "place_words.txt",
}
NOT_VOCABULARY_TAGS = ("@particle\t",)


def load(dict_dir):
    """Every entry of every word list, lower-cased; `#` lines are comments.

    Lines of the `TYPE<TAB>label` lists count by their last field. The
    lists of NOT_VOCABULARY and the lines of NOT_VOCABULARY_TAGS do not count.
    """
    words = set()
    for path in sorted(Path(dict_dir).glob("*.txt")):
        if path.name in NOT_VOCABULARY:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and not line.startswith(NOT_VOCABULARY_TAGS):
                words.add(line.split("\t")[-1].strip().lower())
    return words


def tokens(value):
    return [t.strip(".,;:()") for t in TOKEN_SPLIT.split(value) if t.strip(".,;:()")]


def is_oov(value, words):
    return not any(t.lower() in words for t in tokens(value))
