"""Red-team fuzzer: `neckcheck batch` (its JSON Lines core, with cached decision texts) must give,
line by line, what the strict reader (parse_json + screen) gives on the same text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neckcheck import load_rulebook, parse_json, screen
from neckcheck.core.errors import InputError
from neckcheck.formats.jsonlines import Summary, result_lines
from tests.strategies import answer_sets

BOOK = load_rulebook()
SLOW = load_rulebook()  # a rulebook of its own: no decision or text cached by the other
SLOW.decisions.clear()

WS = st.sampled_from(["", " ", "\t", "\r", "  ", " \r\t"])


def esc_key(key: str, draw: Any) -> str:
    out = []
    for ch in key:
        r = draw(st.integers(0, 5))
        if r == 0:
            out.append(f"\\u{ord(ch):04x}")
        elif r == 1:
            out.append(f"\\u{ord(ch):04X}")
        elif r == 2 and ch == "/":
            out.append("\\/")
        else:
            out.append(ch)
    return "".join(out)


ODD_VALUES = [
    "true",
    "false",
    "null",
    "1.0",
    "40.0",
    "4e1",
    "-0",
    "NaN",
    "Infinity",
    "-Infinity",
    "1" * 40,
    "0" * 2,
    "01",
    '"yes "',
    '"Yes"',
    '"y\\u0065s"',
    '"\\u0079es"',
    "[]",
    "{}",
    '{"a":"b"}',
    '"\\""',
    '"no\\u0000"',
    "1E400",
    "-1",
    "3651",
    "121",
    '"40"',
    "1e0",
    '"\\ud800"',
]


@st.composite
def lines(draw: Any) -> bytes:
    answers = draw(answer_sets())
    items = list(answers.items())
    parts: list[tuple[str, str]] = [(json.dumps(k), json.dumps(v)) for k, v in items]
    # mutations
    n = draw(st.integers(0, 3))
    for _ in range(n):
        kind = draw(st.integers(0, 6))
        if kind == 0 and parts:  # escape a key
            i = draw(st.integers(0, len(parts) - 1))
            k = json.loads(parts[i][0])
            parts[i] = ('"' + esc_key(k, draw) + '"', parts[i][1])
        elif kind == 1 and parts:  # duplicate a key (maybe disguised) with any value
            i = draw(st.integers(0, len(parts) - 1))
            k = json.loads(parts[i][0])
            v = draw(
                st.sampled_from(
                    [
                        '"yes"',
                        '"no"',
                        '"unsure"',
                        "true",
                        "false",
                        "40",
                        "0",
                        "null",
                        '"none"',
                        '"fall"',
                        "[]",
                        '{"x":1}',
                    ]
                )
            )
            j = draw(st.integers(0, len(parts)))
            parts.insert(j, ('"' + esc_key(k, draw) + '"', v))
        elif kind == 2 and parts:  # odd value
            i = draw(st.integers(0, len(parts) - 1))
            parts[i] = (parts[i][0], draw(st.sampled_from(ODD_VALUES)))
        elif kind == 3 and parts:  # drop a key
            parts.pop(draw(st.integers(0, len(parts) - 1)))
        elif kind == 4:  # unknown / null extra key
            parts.append(
                (
                    draw(st.sampled_from(['"x"', '""', '"age "', '"AGE"', '"\\u0000"'])),
                    draw(st.sampled_from(["null", '"yes"', "1"])),
                )
            )
        elif kind == 5 and parts:  # null value
            i = draw(st.integers(0, len(parts) - 1))
            parts[i] = (parts[i][0], "null")
        elif kind == 6 and len(parts) > 1:  # swap order
            i = draw(st.integers(0, len(parts) - 1))
            parts.append(parts.pop(i))
    body = ",".join(draw(WS) + k + draw(WS) + ":" + draw(WS) + v + draw(WS) for k, v in parts)
    text = "{" + body + "}"
    pre = draw(st.sampled_from(["", "", "\ufeff", " ", "\ufeff\ufeff"]))
    post = draw(
        st.sampled_from(
            [
                "",
                "",
                " ",
                "\r",
                "\t",
                "x",
                ",",
                "}",
                "//c",
                "\x00",
                "\x0b",
                "\x0c",
                "\u00a0",
                "\u2028",
                "{}",
            ]
        )
    )
    if draw(st.booleans()) and parts:
        text = text[:-1] + ",}" if draw(st.integers(0, 9)) == 0 else text
    return (pre + text + post).encode("utf-8", "surrogatepass") + draw(
        st.sampled_from([b"\n", b"\r\n", b""])
    )


def strict(line: bytes) -> Any:
    body = line[:-1] if line.endswith(b"\n") else line
    try:
        d = screen(parse_json(body, "line 1"), SLOW, "line 1")
    except InputError:
        return "error"
    return (d.outcome, tuple(r.rule for r in d.reasons), tuple(c.id for c in d.cautions))


def batch(line: bytes) -> Any:
    (out,) = list(result_lines([line], BOOK, Summary()))
    rec = json.loads(out)
    if "error" in rec:
        return "error"
    return (
        rec["outcome"],
        tuple(r["rule"] for r in rec["reasons"]),
        tuple(c["id"] for c in rec["cautions"]),
    )


@settings(suppress_health_check=list(HealthCheck))
@given(lines())
def test_batch_fast_path_equals_strict_reading(line: bytes) -> None:
    """Fuzzer (passes on main): batch fast path vs strict reader, line by line."""
    assert batch(line) == strict(line), line
    (a,) = list(result_lines([line], BOOK, Summary()))
    (b,) = list(result_lines([line], SLOW, Summary()))
    assert a == b, line
