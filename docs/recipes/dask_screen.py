"""Screen a JSON Lines file with Dask: exactly the records `neckcheck batch` writes, in order,
with the same line numbers, whatever the number of partitions or the scheduler."""

from __future__ import annotations

import itertools
from typing import Any

import dask
import dask.bag as db
from dask.bytes import read_bytes

from neckcheck import screen_lines


def split_lines(block: bytes) -> list[bytes]:
    """A block's lines as `batch` reads them: split at newlines only; a blank line stays a line
    (it becomes an error record, as in `batch`)."""
    lines = block.split(b"\n")
    if lines[-1] == b"":  # the newline that ends the last line starts no new one
        lines.pop()
    return lines


def count_lines(block: bytes) -> int:
    return len(split_lines(block))


def screen_block(block: bytes, first_line: int) -> list[dict[str, Any]]:
    """The batch records of one block, numbered from `first_line` (the shipped rules are loaded
    once per block)."""
    records = list(screen_lines(split_lines(block)))
    for record in records:
        record["line"] += first_line - 1
    return records


def screen_file(path: str, blocksize: int | str = "64 MiB") -> db.Bag:
    """A bag of batch records for one file, split in blocks at line ends. The lines of each block
    are counted first, so that the numbers run over the whole file."""
    _, [blocks] = read_bytes(path, delimiter=b"\n", blocksize=blocksize)
    counts = dask.compute(*(dask.delayed(count_lines)(block) for block in blocks))
    firsts = list(itertools.accumulate(counts, initial=1))  # the first line of each block
    return db.from_delayed(
        [dask.delayed(screen_block)(block, firsts[i]) for i, block in enumerate(blocks)]
    )


# decisions = screen_file("intake.jsonl").compute(scheduler="processes")
