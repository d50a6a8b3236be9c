"""Small wording and number helpers shared by every layer (defined once)."""

from __future__ import annotations

import math
from collections.abc import Iterable


def plural(n: int, word: str) -> str:
    """``plural(1, "measure")`` → "1 measure"; ``plural(3, "measure")`` → "3 measures"."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop."""
    return text[:1].upper() + text[1:] + "."


def ordinal(n: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def money_k(value: float) -> str:
    """£ as thousands to one decimal place with a true minus sign: −£1,234.5k."""
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value) / 1000:,.1f}k"


def round_or_none(value: float | None, digits: int = 1) -> float | None:
    """``round(value, digits)`` as a float, or None when there is no value."""
    return None if value is None else round(float(value), digits)


def blank_if_missing(value: object) -> str:
    """The value as stripped text; "" for None or NaN."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()


def humanise(key: str) -> str:
    """A program name as words: "spend_per_head" → "Spend per head"."""
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else key


def listed(items: Iterable[object]) -> str:
    """``["a", "b", "c"]`` → "a, b and c"; one item as it is; none → ""."""
    words = [str(i) for i in items]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def measure_value(value: object, value_format: str = ",.2f", *, money: bool = False, suffix: str = "") -> str:
    """A figure as a reader sees it, in its own format and unit: ``measure_value(0.35, ".1%")`` → "35.0%";
    ``measure_value(431.4, ",.1f", suffix=" kg")`` → "431.4 kg"; ``measure_value(-5, money=True)`` → "−£5.00".
    A missing figure is "–"; a negative one has a true minus sign."""
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "–"
    text = format(abs(number), value_format)
    if money:
        text = "£" + text
    return ("−" if number < 0 and float(text.strip("£%").replace(",", "") or 0) != 0 else "") + text + suffix
