#!/usr/bin/python3
"""Writes N HellaSwag-shaped records (the datasets' original fields) of realistic length for
bench_eval's suite measurement: a 40-60 word context and four 12-20 word endings drawn from a
fixed word list with a seeded random.Random, so every run measures the same items.

Usage: bench/suite_items.py OUT.jsonl [N=256] [SEED=7]
"""

import json
import random
import sys

WORDS = ("the a man woman child dog people group person team water ball car road house garden "
         "kitchen table window door street park river field camera guitar piano bicycle horse "
         "is are was were starts begins continues keeps stops turns walks runs jumps throws "
         "catches holds puts takes shows cuts washes paints plays rides pushes pulls lifts "
         "then while after before and but with on in at to from over under into onto around "
         "quickly slowly carefully again together finally still outside inside near behind "
         "red blue green small large long short old new wooden metal bright dark").split()


def sentence(rng, lo, hi):
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    with open(out, "w", encoding="utf-8") as f:
        for i in range(n):
            ctx_a = sentence(rng, 30, 45)
            ctx_b = sentence(rng, 8, 14)[:-1].lower()
            endings = [sentence(rng, 12, 20) for _ in range(4)]
            f.write(json.dumps({"ind": i, "activity_label": "Everyday activity", "ctx_a": ctx_a,
                                "ctx_b": ctx_b, "ctx": ctx_a + " " + ctx_b, "endings": endings,
                                "source_id": "bench", "split": "val", "split_type": "indomain",
                                "label": str(rng.randrange(4))}) + "\n")


if __name__ == "__main__":
    main()
