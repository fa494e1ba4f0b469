"""Screen a JSON Lines file with Spark: exactly the records `neckcheck batch` writes, with the
same line numbers, whatever the number of partitions. (Spark reads the file as UTF-8 text: a
line that is not valid UTF-8 is decoded with replacement characters, where `batch` refuses it.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyspark.rdd import RDD
from pyspark.sql import SparkSession

from neckcheck import screen_lines


def screen_partition(rows: Iterable[tuple[str, int]]) -> list[dict[str, Any]]:
    """The batch records of one partition's (line, index in the file) pairs (the shipped rules
    are loaded once per partition)."""
    rows = list(rows)
    records = list(screen_lines(line for line, _ in rows))
    for record, (_, index) in zip(records, rows, strict=True):
        record["line"] = index + 1
    return records


def screen_file(path: str, spark: SparkSession | None = None) -> RDD[dict[str, Any]]:
    """An RDD of batch records for one file. Lines are split at newlines only, as `batch` does,
    and a blank line stays a line (an error record)."""
    spark = spark or SparkSession.builder.getOrCreate()
    lines = spark.read.text(path, lineSep="\n").rdd.map(lambda row: row.value)
    return lines.zipWithIndex().mapPartitions(screen_partition)


# decisions = screen_file("intake.jsonl").collect()
