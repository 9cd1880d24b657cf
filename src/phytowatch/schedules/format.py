"""The schedule file format: a file (JSON, or YAML for a site's own) read into a validated
domain schedule.

A file that is malformed or contradicts itself is refused with a :class:`ScheduleFileError`: a
message code whose parameters name the file, the field, the value and what is expected, e.g.
``hwt-mango.json: steps[0].threshold: "56": must be a number`` (in the reader's language where
shown).
Unknown fields are refused too: a typo must not silently drop a rule. Which files are known, and
by which id and version, is the catalog's (catalog.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from phytowatch.domain.instants import parse_duration
from phytowatch.domain.messages import Code, Invalid, Message, Word, say
from phytowatch.domain.messages import Param as MessageParam
from phytowatch.domain.schedule import (
    PHYSICAL_RANGE,
    ROLES,
    Confidence,
    Criterion,
    HoldCriterion,
    HoldStart,
    OnInterruption,
    Param,
    ParamChoice,
    Precondition,
    RampCriterion,
    Regime,
    Role,
    Schedule,
    Step,
    ThroughoutCriterion,
    Tolerance,
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_TOP_FIELDS = {
    "id", "version", "title", "source", "confidence", "confidence_notes", "notes", "key",
    "regime", "judged_role", "min_probes", "max_sample_interval", "steps", "on_interruption",
    "starts", "tolerance", "preconditions", "params", "criteria",
}  # fmt: skip


class ScheduleFileError(Invalid):
    """A schedule file was refused; the message (a code) names the file and the field."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.where = str(message.params.get("file", ""))
        self.field = str(message.params.get("field", ""))


def shown(value: Any) -> str:
    """A value of a file as it is written there (JSON): ``"3"`` is a text, ``3`` a number."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


# parse_duration's refusal, said of a file's field
_DURATION_CODES = {
    Code.DURATION_NOT_POSITIVE: Code.SCHEDULE_FILE_DURATION_POSITIVE,
    Code.DURATION_FINER: Code.SCHEDULE_FILE_DURATION_FINER,
}


class _Reader:
    """Typed access to one parsed file, raising ScheduleFileError with the field path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, code: Code, **params: MessageParam) -> ScheduleFileError:
        return ScheduleFileError(say(code, file=self.where, field=path, **params))

    def obj(self, value: Any, path: str, allowed: set[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            if not path:
                raise ScheduleFileError(say(Code.SCHEDULE_FILE_TOP, file=self.where))
            raise self.fail(path, Code.SCHEDULE_FILE_OBJECT)
        if allowed is not None:
            unknown = sorted(set(value) - allowed)
            if unknown:
                raise self.fail(_at(path, unknown[0]), Code.SCHEDULE_FILE_UNKNOWN)
        return value

    def need(self, data: Mapping[str, Any], key: str, path: str) -> Any:
        if key not in data:
            raise self.fail(_at(path, key), Code.SCHEDULE_FILE_MISSING)
        return data[key]

    def text(self, data: Mapping[str, Any], key: str, path: str, default: str | None = None) -> str:
        value = data.get(key, default) if default is not None else self.need(data, key, path)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_at(path, key), Code.SCHEDULE_FILE_TEXT)
        return value

    def number(self, data: Mapping[str, Any], key: str, path: str) -> float:
        value = self.need(data, key, path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(_at(path, key), Code.SCHEDULE_FILE_NUMBER, value=shown(value))
        return float(value)

    def count(self, data: Mapping[str, Any], key: str, path: str) -> int:
        value = self.need(data, key, path)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(_at(path, key), Code.SCHEDULE_FILE_COUNT, value=shown(value))
        return value

    def duration(self, value: Any, path: str) -> int:
        try:
            return parse_duration(value)
        except Invalid as error:
            code = _DURATION_CODES.get(error.message.code, Code.SCHEDULE_FILE_DURATION)
            raise self.fail(path, code, value=shown(value)) from None

    def choice(self, data: Mapping[str, Any], key: str, path: str, options: Iterable[str]) -> str:
        value = self.need(data, key, path)
        options = list(options)
        if value not in options:
            raise self.fail(
                _at(path, key),
                Code.SCHEDULE_FILE_CHOICE,
                value=shown(value),
                options=", ".join(options),
            )
        return str(value)


def _at(path: str, key: str) -> str:
    """The field path of ``key`` inside ``path`` (``steps[0].threshold``)."""
    return f"{path}.{key}" if path else key


def parse_schedule(data: Any, where: str) -> Schedule:
    """Validate one parsed schedule record; ``where`` names its file in errors."""
    r = _Reader(where)
    top = r.obj(data, "", _TOP_FIELDS)
    schedule_id = r.text(top, "id", "")
    if not ID_PATTERN.match(schedule_id):
        raise r.fail("id", Code.SCHEDULE_FILE_ID, value=shown(schedule_id))
    version = str(r.need(top, "version", ""))
    if not _VERSION.match(version):
        raise r.fail("version", Code.SCHEDULE_FILE_VERSION, value=shown(top["version"]))
    title = r.obj(r.need(top, "title", ""), "title", {"en", "zh"})
    for lang in ("en", "zh"):
        r.text(title, lang, "title")
    confidence = Confidence(r.choice(top, "confidence", "", [c.value for c in Confidence]))
    regime = Regime(r.choice(top, "regime", "", [g.value for g in Regime]))
    role: Role = r.choice(top, "judged_role", "", ROLES)  # type: ignore[assignment]
    interval = r.duration(r.need(top, "max_sample_interval", ""), "max_sample_interval")
    on_interruption = OnInterruption(
        r.choice(top, "on_interruption", "", [o.value for o in OnInterruption])
    )
    starts = HoldStart(
        top.get("starts", HoldStart.ON_COMPLIANCE.value)
        if top.get("starts", HoldStart.ON_COMPLIANCE.value) in {h.value for h in HoldStart}
        else r.choice(top, "starts", "", [h.value for h in HoldStart])
    )
    params = _params(r, top.get("params", {}))
    durations_from_params = any(
        choice.durations is not None for p in params for choice in p.choices.values()
    )
    steps = _steps(r, r.need(top, "steps", ""), "steps", role, regime, durations_from_params)
    tolerance = _tolerance(r, top.get("tolerance"), steps, regime, params)
    primary = HoldCriterion(
        key=r.text(top, "key", "", default=role),
        role=role,
        regime=regime,
        min_probes=r.count(top, "min_probes", ""),
        steps=steps,
        starts=starts,
        tolerance=tolerance,
    )
    extra = _criteria(r, top.get("criteria", []), primary)
    if starts is HoldStart.AT_FIRST_SAMPLE and on_interruption is not OnInterruption.FAIL:
        raise r.fail("starts", Code.SCHEDULE_FILE_AT_FIRST_SAMPLE)
    for index, choice_param in enumerate(params):
        for value, choice in choice_param.choices.items():
            where_choice = f"params.{choice_param.name}.choices.{value}"
            if choice.durations is not None and len(choice.durations) != len(steps):
                raise r.fail(
                    f"{where_choice}.durations",
                    Code.SCHEDULE_FILE_DURATIONS_PER_STEP,
                    steps=len(steps),
                )
            if choice.tolerance_budget is not None and tolerance is None:
                raise r.fail(f"{where_choice}.tolerance_budget", Code.SCHEDULE_FILE_NO_TOLERANCE)
        del index
    preconditions = tuple(
        _precondition(r, item, f"preconditions[{i}]")
        for i, item in enumerate(_list(r, top.get("preconditions", []), "preconditions"))
    )
    return Schedule(
        id=schedule_id,
        version=version,
        title=MappingProxyType({"en": title["en"], "zh": title["zh"]}),
        source=r.text(top, "source", ""),
        confidence=confidence,
        max_sample_interval=interval,
        on_interruption=on_interruption,
        primary=primary,
        extra=extra,
        preconditions=preconditions,
        params=params,
        notes=str(top.get("notes", "")),
        confidence_notes=str(top.get("confidence_notes", "")),
    )


def _list(r: _Reader, value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise r.fail(path, Code.SCHEDULE_FILE_LIST)
    return value


def _threshold(r: _Reader, data: Mapping[str, Any], key: str, path: str, role: Role) -> float:
    value = r.number(data, key, path)
    low, high = PHYSICAL_RANGE[role]
    if not low <= value <= high:
        raise r.fail(
            f"{path}.{key}",
            Code.SCHEDULE_FILE_RANGE,
            value=value,
            role=Word(role),
            low=low,
            high=high,
        )
    return value


def _steps(
    r: _Reader, value: Any, path: str, role: Role, regime: Regime, durations_from_params: bool
) -> tuple[Step, ...]:
    items = _list(r, value, path)
    if not items:
        raise r.fail(path, Code.SCHEDULE_FILE_NO_STEP)
    steps: list[Step] = []
    for i, item in enumerate(items):
        here = f"{path}[{i}]"
        data = r.obj(item, here, {"threshold", "duration"})
        threshold = _threshold(r, data, "threshold", here, role)
        if "duration" in data:
            duration = r.duration(data["duration"], f"{here}.duration")
        elif durations_from_params:
            duration = 0  # set by a param before any run is judged
        else:
            raise r.fail(f"{here}.duration", Code.SCHEDULE_FILE_MISSING)
        steps.append(Step(threshold, duration))
    # A table must trade temperature for time: a step that is easier in temperature must take
    # longer, or it makes the stricter step pointless and the table contradicts itself.
    for i in range(1, len(steps)):
        before, step = steps[i - 1], steps[i]
        easier = (
            step.threshold > before.threshold
            if regime is Regime.COLD
            else (step.threshold < before.threshold)
        )
        if not easier:
            raise r.fail(
                f"{path}[{i}].threshold",
                Code.SCHEDULE_FILE_COLD_ORDER
                if regime is Regime.COLD
                else Code.SCHEDULE_FILE_HEAT_ORDER,
            )
        if before.duration and step.duration <= before.duration:
            raise r.fail(f"{path}[{i}].duration", Code.SCHEDULE_FILE_EASIER_LONGER)
    return tuple(steps)


def _tolerance(
    r: _Reader, value: Any, steps: tuple[Step, ...], regime: Regime, params: tuple[Param, ...]
) -> Tolerance | None:
    if value is None:
        return None
    data = r.obj(value, "tolerance", {"lower", "grace", "budget"})
    if regime is not Regime.HEAT or len(steps) != 1:
        raise r.fail("tolerance", Code.SCHEDULE_FILE_TOLERANCE_ONE_STEP)
    lower = r.number(data, "lower", "tolerance")
    if lower >= steps[0].threshold:
        raise r.fail(
            "tolerance.lower",
            Code.SCHEDULE_FILE_TOLERANCE_LOWER,
            value=lower,
            threshold=steps[0].threshold,
        )
    budget = r.duration(data["budget"], "tolerance.budget") if "budget" in data else None
    if budget is None and not any(
        c.tolerance_budget is not None for p in params for c in p.choices.values()
    ):
        raise r.fail("tolerance.budget", Code.SCHEDULE_FILE_BUDGET)
    return Tolerance(
        lower, r.duration(r.need(data, "grace", "tolerance"), "tolerance.grace"), budget
    )


def _params(r: _Reader, value: Any) -> tuple[Param, ...]:
    data = r.obj(value, "params")
    out: list[Param] = []
    for name, spec in data.items():
        here = f"params.{name}"
        body = r.obj(spec, here, {"description", "choices", "default"})
        choices_raw = r.obj(r.need(body, "choices", here), f"{here}.choices")
        if not choices_raw:
            raise r.fail(f"{here}.choices", Code.SCHEDULE_FILE_NO_CHOICE)
        choices: dict[str, ParamChoice] = {}
        for value_name, effect in choices_raw.items():
            where = f"{here}.choices.{value_name}"
            effect_data = r.obj(effect, where, {"durations", "tolerance_budget"})
            durations = None
            if "durations" in effect_data:
                durations = tuple(
                    r.duration(d, f"{where}.durations[{i}]")
                    for i, d in enumerate(_list(r, effect_data["durations"], f"{where}.durations"))
                )
            budget = None
            if "tolerance_budget" in effect_data:
                budget = r.duration(effect_data["tolerance_budget"], f"{where}.tolerance_budget")
            choices[str(value_name)] = ParamChoice(durations, budget)
        default = body.get("default")
        if default is not None and default not in choices:
            raise r.fail(
                f"{here}.default",
                Code.SCHEDULE_FILE_CHOICE,
                value=shown(default),
                options=", ".join(choices),
            )
        out.append(
            Param(str(name), MappingProxyType(choices), default, str(body.get("description", "")))
        )
    return tuple(out)


def _criteria(r: _Reader, value: Any, primary: HoldCriterion) -> tuple[Criterion, ...]:
    out: list[Criterion] = []
    keys = {primary.key}
    holds = {primary.key}
    for i, item in enumerate(_list(r, value, "criteria")):
        here = f"criteria[{i}]"
        kind = r.choice(r.obj(item, here), "kind", here, ["hold", "throughout", "ramp"])
        common = {"kind", "key", "role", "regime", "min_probes"}
        allowed = {
            "hold": common | {"steps"},
            "throughout": common | {"threshold", "during"},
            "ramp": common | {"target", "min_duration"},
        }[kind]
        data = r.obj(item, here, allowed)
        key = r.text(data, "key", here)
        if key in keys:
            raise r.fail(f"{here}.key", Code.SCHEDULE_FILE_KEY_TWICE, key=key)
        keys.add(key)
        role: Role = r.choice(data, "role", here, ROLES)  # type: ignore[assignment]
        regime = Regime(r.choice(data, "regime", here, [g.value for g in Regime]))
        min_probes = r.count(data, "min_probes", here)
        criterion: Criterion
        if kind == "hold":
            steps = _steps(r, r.need(data, "steps", here), f"{here}.steps", role, regime, False)
            criterion = HoldCriterion(key, role, regime, min_probes, steps)
            holds.add(key)
        elif kind == "throughout":
            during = r.text(data, "during", here)
            if during not in holds:
                raise r.fail(f"{here}.during", Code.SCHEDULE_FILE_NO_HOLD, during=during)
            threshold = _threshold(r, data, "threshold", here, role)
            criterion = ThroughoutCriterion(key, role, regime, min_probes, threshold, during)
        else:
            target = _threshold(r, data, "target", here, role)
            minimum = r.duration(r.need(data, "min_duration", here), f"{here}.min_duration")
            criterion = RampCriterion(key, role, regime, min_probes, target, minimum)
        out.append(criterion)
    return tuple(out)


def _precondition(r: _Reader, item: Any, here: str) -> Precondition:
    data = r.obj(item, here, {"key", "role", "regime", "threshold"})
    role: Role = r.choice(data, "role", here, ROLES)  # type: ignore[assignment]
    return Precondition(
        key=r.text(data, "key", here),
        role=role,
        regime=Regime(r.choice(data, "regime", here, [g.value for g in Regime])),
        threshold=_threshold(r, data, "threshold", here, role),
    )


def load_file(path: Path) -> Schedule:
    """Read and validate one schedule file (``.json``, ``.yaml`` or ``.yml``)."""
    where = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScheduleFileError(
            say(Code.SCHEDULE_FILE_UNREADABLE, file=where, error=str(error))
        ) from None
    return parse_text(text, where, yaml=path.suffix in {".yaml", ".yml"})


def parse_text(text: str, where: str, *, yaml: bool = False) -> Schedule:
    if yaml:
        import yaml as pyyaml  # a site's own files only; shipped schedules are JSON

        try:
            data = pyyaml.safe_load(text)
        except pyyaml.YAMLError as error:
            raise ScheduleFileError(
                say(Code.SCHEDULE_FILE_YAML, file=where, error=str(error))
            ) from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ScheduleFileError(
                say(
                    Code.SCHEDULE_FILE_JSON,
                    file=where,
                    line=error.lineno,
                    column=error.colno,
                    error=error.msg,
                )
            ) from None
    return parse_schedule(data, where)
