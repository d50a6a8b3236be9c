"""The public service map and portfolio settings (``config/services.toml``).

Kept apart from the council's own data: nothing here is specific to one council.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from wcc_analysis.core import guidance, paths
from wcc_analysis.core.errors import ConfigError, ParameterError
from wcc_analysis.core.vocabulary import AREA_INDICATORS, DEFAULT_SCORE_VALUES, INDICATOR_TRANSFORMS

SERVICE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class NotebookSpec:
    name: str
    title: str
    scope: str  # "service" or "portfolio"
    seed_step: str


@dataclass(frozen=True)
class ComparatorModel:
    """A comparator model: its name, the area indicators it weighs and (for a service's own model) why."""

    name: str
    weights: dict[str, float]
    reason: str = ""
    transforms: dict[str, str] = field(default_factory=dict)  # indicator → "log", applied before standardising


@dataclass(frozen=True)
class ValueForMoneySpec:
    """How question 3 counts one service's cost against its outcomes ([value_for_money.<service>])."""

    cost_lines: tuple[str, ...]  # the service's RA lines the published outcomes describe
    per_household: bool = False  # per household where the council's households are known, else per head
    note: str = ""


#: Used when [comparators] gives neither weights nor indicators.
DEFAULT_COMPARATOR_INDICATORS = ("population", "population_growth_5y_pct", "imd_score")


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    notebooks: tuple[str, ...]
    rs_block: str | None = None
    other_blocks: tuple[str, ...] = ()
    ro_lines: tuple[str, ...] = ()
    ra_lines: tuple[str, ...] = ()  # the service's Revenue Account (RA) budget lines, as published
    ra_lines_note: str = ""  # what those lines hold (CIPFA SeRCOP) and where they are wider than the service
    scope: str = "service"

    @property
    def blocks(self) -> tuple[str, ...]:
        """Every RS block this service's spending is published in, main block first."""
        return ((self.rs_block,) if self.rs_block else ()) + self.other_blocks


@dataclass(frozen=True)
class Config:
    path: Path
    portfolio: Service
    default_council: str
    notebooks: dict[str, NotebookSpec]
    services: dict[str, Service]
    priority_weights: dict[str, float]
    priority_scores: dict[str, int]
    weight_range: tuple[int, int]
    comparator_k: int
    comparator_models: dict[str, ComparatorModel]  # "default" and any service id with its own model
    rs_blocks: tuple[str, ...] = field(default_factory=tuple)
    appraisal: dict = field(default_factory=dict)
    stability_weight_change: float = 0.5  # each weight × (1 ± this) in the stability check
    value_for_money: dict[str, ValueForMoneySpec] = field(default_factory=dict)  # per service ([value_for_money])
    #: [value_for_money] outcome_tolerance_pct / 100: an outcome this close to the median (a share of the median)
    #: is at the median, neither better nor worse
    outcome_tolerance: float = 0.05

    def value_for_money_spec(self, service_id: str) -> ValueForMoneySpec:
        """The service's [value_for_money.<service>] settings; by default all its RA lines, per head."""
        service = self.service(service_id)
        return self.value_for_money.get(service_id, ValueForMoneySpec(service.ra_lines))

    @property
    def comparator_indicators(self) -> tuple[str, ...]:
        return tuple(self.comparator_models["default"].weights)

    def comparator_model(self, service_id: str) -> ComparatorModel:
        """The service's own comparator model if config gives one, else the default area model."""
        return self.comparator_models.get(service_id, self.comparator_models["default"])

    def service(self, service_id: str) -> Service:
        """The service (or the portfolio) with this id; a clear error for an unknown id."""
        if service_id == self.portfolio.id:
            return self.portfolio
        try:
            return self.services[service_id]
        except KeyError:
            known = sorted(self.services) + [self.portfolio.id]
            close = difflib.get_close_matches(service_id, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ParameterError(
                f"unknown service {service_id!r}.{hint} Known services: {', '.join(known)}. "
                f"Add new services to {paths.relative_to_root(self.path)}."
            ) from None

    def notebook(self, name: str) -> NotebookSpec:
        try:
            return self.notebooks[name]
        except KeyError:
            raise ParameterError(
                f"unknown notebook {name!r}. Known notebooks: {', '.join(sorted(self.notebooks))}."
            ) from None

    def services_sharing_block(self, block: str) -> list[Service]:
        """Services whose spending is published (wholly or partly) in this RS block."""
        return [s for s in self.services.values() if block in s.blocks]


def _shown(path: Path) -> str:
    """The config file as an error names it: relative to the project (never the clone's absolute path)."""
    return paths.relative_to_root(path)


def _require(table: dict, key: str, where: str, path: Path):
    if not isinstance(table, dict):
        raise ConfigError(f"{_shown(path)}: [{where}] must be a table of settings, not {table!r}. What to do: "
                          "compare it with the same section in the repository's copy of the file.")
    if key not in table:
        raise ConfigError(f"{_shown(path)}: [{where}] has no '{key}'. What to do: add it (see the comments in the file).")
    return table[key]


#: Plausible ranges of every number in config/services.toml: (smallest, largest, whole number?).
NUMBER_RANGES: dict[str, tuple[float, float, bool]] = {
    "priority weight": (0.0, 100.0, False),  # above 0: a weight of 0 would drop the criterion silently
    "priority score value": (1, 100, True),
    "weight_range bound": (1, 100, True),
    "k": (1, 500, True),
    "stability_weight_change": (0.0, 1.0, False),
    "comparator weight": (0.0, 100.0, False),
    "discount_rate_pct": (0.0, 20.0, False),
    "appraisal_years": (1, 100, True),
}


def _number(value, what: str, where: str, path: Path, *, above_minimum: bool = False, bound_kind: str | None = None):
    """A number from the file, checked: a real number (not text, not a true/false, finite), whole where it must be,
    within :data:`NUMBER_RANGES` (``above_minimum``: strictly above the smallest). ConfigError otherwise, naming the
    file, the section, the setting and the value, and saying what to write instead."""
    low, high, whole = NUMBER_RANGES[bound_kind or what]
    kind = "a whole number" if whole else "a number"
    bound = f"above {low:g}" if above_minimum else f"at least {low:g}"
    fix = f"write {kind} {bound} and at most {high:g}, without quotes or a % sign"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{_shown(path)}: [{where}] {what} must be {kind}, not {value!r}. What to do: {fix}.")
    if not math.isfinite(value):
        raise ConfigError(f"{_shown(path)}: [{where}] {what} must be a finite number, not {value!r}. What to do: {fix}.")
    if whole and value != int(value):
        raise ConfigError(f"{_shown(path)}: [{where}] {what} must be a whole number, not {value!r}. What to do: {fix}.")
    if value < low or (above_minimum and value == low) or value > high:
        raise ConfigError(f"{_shown(path)}: [{where}] {what} = {value!r} is out of range. What to do: {fix}.")
    return int(value) if whole else float(value)


def _service(service_id: str, table: dict, notebooks: dict, rs_blocks: tuple, path: Path) -> Service:
    where = f"services.{service_id}"
    if not SERVICE_ID.match(service_id):
        raise ConfigError(
            f"{_shown(path)}: service id {service_id!r} must be lower case letters, digits and underscores."
        )
    unknown = set(table) - {"name", "rs_block", "other_blocks", "ro_lines", "ra_lines", "ra_lines_note", "notebooks"}
    if unknown:
        raise ConfigError(f"{_shown(path)}: [{where}] has unknown keys {sorted(unknown)}.")
    service = Service(
        id=service_id,
        name=str(_require(table, "name", where, path)),
        notebooks=tuple(_require(table, "notebooks", where, path)),
        rs_block=_require(table, "rs_block", where, path),
        other_blocks=tuple(table.get("other_blocks", ())),
        ro_lines=tuple(table.get("ro_lines", ())),
        ra_lines=tuple(str(line) for line in table.get("ra_lines", ())),
        ra_lines_note=str(table.get("ra_lines_note", "")),
    )
    for block in service.blocks:
        if block not in rs_blocks:
            raise ConfigError(
                f"{_shown(path)}: [{where}] names RS block {block!r}, which is not in [rs_blocks].names."
            )
    for nb in service.notebooks:
        if nb not in notebooks or notebooks[nb].scope != "service":
            raise ConfigError(
                f"{_shown(path)}: [{where}] lists notebook {nb!r}, which is not a per-service notebook "
                f"in [notebooks]."
            )
    return service


@cache
def load_config(path: Path | None = None) -> Config:
    """Read and check ``config/services.toml`` (or another file of the same form)."""
    path = Path(path) if path else paths.config_dir() / "services.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{_shown(path)} does not exist. What to do: restore it from the repository.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_shown(path)} is not valid TOML: {exc}. What to do: fix the line it names.") from None

    notebooks = {
        name: NotebookSpec(
            name=name,
            title=str(_require(t, "title", f"notebooks.{name}", path)),
            scope=str(_require(t, "scope", f"notebooks.{name}", path)),
            seed_step=str(t.get("seed_step", "")),
        )
        for name, t in _require(raw, "notebooks", "top level", path).items()
    }
    for spec in notebooks.values():
        if spec.scope not in {"service", "portfolio"}:
            raise ConfigError(f"{_shown(path)}: [notebooks.{spec.name}] scope must be 'service' or 'portfolio'.")

    rs_blocks = tuple(_require(_require(raw, "rs_blocks", "top level", path), "names", "rs_blocks", path))
    port = _require(raw, "portfolio", "top level", path)
    portfolio = Service(
        id=str(_require(port, "id", "portfolio", path)),
        name=str(port.get("name", "Whole portfolio")),
        notebooks=tuple(_require(port, "notebooks", "portfolio", path)),
        scope="portfolio",
    )
    for nb in portfolio.notebooks:
        if nb not in notebooks or notebooks[nb].scope != "portfolio":
            raise ConfigError(f"{_shown(path)}: [portfolio] lists {nb!r}, which is not a portfolio notebook.")

    services = {
        sid: _service(sid, table, notebooks, rs_blocks, path)
        for sid, table in sorted(_require(raw, "services", "top level", path).items())
    }
    if portfolio.id in services:
        raise ConfigError(f"{_shown(path)}: a service may not use the portfolio id {portfolio.id!r}.")
    owners: dict[str, str] = {}
    for service in services.values():
        for line in service.ra_lines:
            if line in owners:
                raise ConfigError(f"{_shown(path)}: RA line {line!r} is listed for both {owners[line]!r} and {service.id!r}; "
                                  "a budget line belongs to one service, so that portfolio totals count it once.")
            owners[line] = service.id

    priority = _require(raw, "priority", "top level", path)
    weights = {str(name): _number(v, f"weight of {name!r}", "priority.weights", path, above_minimum=True,
                                  bound_kind="priority weight")
               for name, v in _require(priority, "weights", "priority", path).items()}
    if not weights:
        raise ConfigError(f"{_shown(path)}: [priority.weights] is empty. What to do: give each priority criterion a "
                          "weight above 0 (see the comments in the file).")
    scores = _scores(priority.get("scores", DEFAULT_SCORE_VALUES), path)
    weight_range = _weight_range(priority.get("weight_range", (1, 3)), path)
    comparators = _require(raw, "comparators", "top level", path)
    k = _number(comparators.get("k", 15), "k", "comparators", path)
    change = _number(comparators.get("stability_weight_change", 0.5), "stability_weight_change", "comparators", path,
                     above_minimum=True)
    if change >= 1:
        raise ConfigError(f"{_shown(path)}: [comparators] stability_weight_change must be below 1 (0.5 = each weight "
                          f"×0.5 and ×1.5), not {change!r}. What to do: write a number above 0 and below 1.")
    models = _comparator_models(comparators, services, path)
    return Config(
        path=path,
        portfolio=portfolio,
        default_council=str(port.get("default_council", "E07000237")),
        notebooks=notebooks,
        services=services,
        priority_weights=weights,
        priority_scores=scores,
        weight_range=weight_range,
        comparator_k=k,
        comparator_models=models,
        stability_weight_change=change,
        value_for_money=_value_for_money(raw.get("value_for_money", {}), services, path),
        outcome_tolerance=_outcome_tolerance(raw.get("value_for_money", {}), path),
        rs_blocks=rs_blocks,
        appraisal=_appraisal(raw.get("appraisal", {}), path),
    )


def _scores(table, path: Path) -> dict[str, int]:
    """[priority] scores: each answer a council may give (High, Medium, Low) → its value, distinct whole numbers."""
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"{_shown(path)}: [priority] scores must be a table such as {{ High = 3, Medium = 2, Low = 1 }}, "
                          f"not {table!r}. What to do: write it so.")
    scores = {str(name): _number(v, f"score {name!r}", "priority.scores", path, bound_kind="priority score value")
              for name, v in table.items()}
    if len(set(scores.values())) < len(scores):
        raise ConfigError(f"{_shown(path)}: [priority] scores {scores} give two answers the same value. What to do: "
                          "give each answer its own value (High above Medium above Low).")
    return scores


def _weight_range(value, path: Path) -> tuple[int, int]:
    """[priority] weight_range: the lowest and highest weight the rank-stability check tries, lowest first."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ConfigError(f"{_shown(path)}: [priority] weight_range must be two whole numbers [lowest, highest], "
                          f"e.g. [1, 3], not {value!r}. What to do: write it so.")
    low, high = (_number(v, "weight_range", "priority", path, bound_kind="weight_range bound") for v in value)
    if low >= high:
        raise ConfigError(f"{_shown(path)}: [priority] weight_range = {list(value)} must go from the lowest weight to a "
                          "higher one. What to do: write the smaller number first, e.g. [1, 3].")
    return low, high


def _weights(table: dict, where: str, path: Path) -> dict[str, float]:
    if not isinstance(table, dict):
        raise ConfigError(f"{_shown(path)}: [{where}] must be a table of indicator = weight, not {table!r}. What to "
                          "do: write it as in the repository's copy of the file.")
    unknown = sorted(set(table) - set(AREA_INDICATORS))
    if unknown:
        raise ConfigError(f"{_shown(path)}: [{where}] names unknown indicator(s) {unknown}. What to do: use only "
                          f"{', '.join(sorted(AREA_INDICATORS))}.")
    weights = {str(name): _number(v, f"weight of {name!r}", where, path, bound_kind="comparator weight")
               for name, v in table.items()}
    if not any(w > 0 for w in weights.values()):
        raise ConfigError(f"{_shown(path)}: [{where}] weights are all zero. What to do: give at least one indicator a "
                          "weight above 0.")
    return weights


def _comparator_models(comparators: dict, services: dict, path: Path) -> dict[str, ComparatorModel]:
    """The default area model ([comparators.weights], or equal weights on [comparators] indicators) and each
    service's own model ([comparators.models.<service>]: name, reason, and weights overriding the default's)."""
    unknown = set(comparators) - {"k", "indicators", "weights", "transforms", "models", "stability_weight_change"}
    if unknown:
        raise ConfigError(f"{_shown(path)}: [comparators] has unknown keys {sorted(unknown)}.")
    if "weights" in comparators:
        weights = _weights(comparators["weights"], "comparators.weights", path)
    else:
        weights = _weights({i: 1.0 for i in comparators.get("indicators", DEFAULT_COMPARATOR_INDICATORS)},
                           "comparators.indicators", path)
    transforms = {str(k): str(v) for k, v in comparators.get("transforms", {}).items()}
    bad = {k: v for k, v in transforms.items() if k not in AREA_INDICATORS or v not in INDICATOR_TRANSFORMS}
    if bad:
        raise ConfigError(f"{_shown(path)}: [comparators.transforms] {bad}: each key must be an indicator "
                          f"({sorted(AREA_INDICATORS)}) and each value one of {list(INDICATOR_TRANSFORMS)}.")
    models = {"default": ComparatorModel("area model", weights, transforms=transforms)}
    for service_id, table in comparators.get("models", {}).items():
        where = f"comparators.models.{service_id}"
        if service_id not in services:
            raise ConfigError(f"{_shown(path)}: [{where}] is for an unknown service; known: {sorted(services)}.")
        extra = set(table) - {"name", "reason", "weights"}
        if extra:
            raise ConfigError(f"{_shown(path)}: [{where}] has unknown keys {sorted(extra)}.")
        if not str(table.get("reason", "")).strip():
            raise ConfigError(f"{_shown(path)}: [{where}] needs a reason: why this service is compared on other weights.")
        own = _weights({**weights, **table.get("weights", {})}, f"{where}.weights", path)
        models[service_id] = ComparatorModel(str(table.get("name", f"{service_id} model")), own, str(table["reason"]),
                                             transforms)
    return models


VALUE_FOR_MONEY_KEYS = ("cost_lines", "per", "note")
#: Settings of the whole [value_for_money] table (every other key is a service's own table).
VALUE_FOR_MONEY_SETTINGS = ("outcome_tolerance_pct",)


def _outcome_tolerance(section: dict, path: Path) -> float:
    """[value_for_money] outcome_tolerance_pct (default 5) as a share: 0 to under 50 %."""
    value = section.get("outcome_tolerance_pct", 5)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 50:
        raise ConfigError(f"{_shown(path)}: [value_for_money] outcome_tolerance_pct must be a number of per cent from 0 to "
                          f"under 50 (5 = an outcome within ±5 % of the median is at the median), not {value!r}.")
    return float(value) / 100.0


def _value_for_money(section: dict, services: dict[str, Service], path: Path) -> dict[str, ValueForMoneySpec]:
    """[value_for_money.<service>]: cost_lines (among the service's ra_lines), per ("head" or "household"), note."""
    section = {k: v for k, v in section.items() if k not in VALUE_FOR_MONEY_SETTINGS}
    unknown_services = sorted(set(section) - set(services))
    if unknown_services:
        raise ConfigError(f"{_shown(path)}: [value_for_money] names unknown service(s) {unknown_services}; "
                          f"known: {sorted(services)}.")
    specs = {}
    for service_id, table in section.items():
        where, service = f"value_for_money.{service_id}", services[service_id]
        unknown = sorted(set(table) - set(VALUE_FOR_MONEY_KEYS))
        if unknown:
            raise ConfigError(f"{_shown(path)}: [{where}] has unknown keys {unknown}; known: {', '.join(VALUE_FOR_MONEY_KEYS)}.")
        lines = tuple(str(line) for line in table.get("cost_lines", service.ra_lines))
        stray = [line for line in lines if line not in service.ra_lines]
        if stray:
            raise ConfigError(f"{_shown(path)}: [{where}] cost_lines must be among the service's ra_lines "
                              f"{list(service.ra_lines)}; not {stray}.")
        per = str(table.get("per", "head"))
        if per not in ("head", "household"):
            raise ConfigError(f"{_shown(path)}: [{where}] per must be \"head\" or \"household\", not {per!r}.")
        specs[service_id] = ValueForMoneySpec(lines, per == "household", " ".join(str(table.get("note", "")).split()))
    return specs


APPRAISAL_DEFAULTS = {"discount_rate_pct": guidance.STPR_PCT, "appraisal_years": guidance.DEFAULT_APPRAISAL_YEARS}


def _appraisal(table: dict, path: Path) -> dict:
    """The appraisal defaults, and ``optimism_bias``: item → {category, start} overriding ``OPTIMISM_BIAS_ITEMS``."""
    known = {*APPRAISAL_DEFAULTS, "optimism_bias"}
    unknown = set(table) - known
    if unknown:
        raise ConfigError(f"{_shown(path)}: [appraisal] has unknown keys {sorted(unknown)}; known: {sorted(known)}.")
    values: dict = {**APPRAISAL_DEFAULTS, **{k: _number(v, k, "appraisal", path)
                                             for k, v in table.items() if k != "optimism_bias"}}
    items = table.get("optimism_bias", {})
    for item, spec in items.items():
        if item not in guidance.OPTIMISM_BIAS_ITEMS:
            raise ConfigError(f"{_shown(path)}: [appraisal.optimism_bias] {item!r} is not an item optimism bias applies to; "
                              f"use one of {sorted(guidance.OPTIMISM_BIAS_ITEMS)}.")
        if not isinstance(spec, dict) or set(spec) - {"category", "start"}:
            raise ConfigError(f"{_shown(path)}: [appraisal.optimism_bias] {item} must be a table with category and/or start.")
        if "category" in spec and spec["category"] not in guidance.OPTIMISM_BIAS_BOUNDS:
            raise ConfigError(f"{_shown(path)}: [appraisal.optimism_bias] {item}: unknown category {spec['category']!r}; use "
                              f"one of {sorted(guidance.OPTIMISM_BIAS_BOUNDS)}.")
        if spec.get("start", "upper") not in ("upper", "lower"):
            raise ConfigError(f"{_shown(path)}: [appraisal.optimism_bias] {item}: start must be \"upper\" or \"lower\".")
    values["optimism_bias"] = {str(i): dict(spec) for i, spec in items.items()}
    return values
