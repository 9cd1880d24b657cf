"""The CLI's words in English and Chinese (zh-CN). Standard library only: ``evaluate`` is fast."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from phytowatch.domain.messages import Message

LANGS = ("en", "zh")

_TEXT: dict[str, dict[str, str]] = {
    "PASS": {"en": "PASS", "zh": "合格 PASS"},
    "FAIL": {"en": "FAIL", "zh": "不合格 FAIL"},
    "INDETERMINATE": {"en": "INDETERMINATE", "zh": "无法判定 INDETERMINATE"},
    "schedule": {"en": "Schedule", "zh": "处理指标"},
    "source": {"en": "Source", "zh": "依据"},
    "unverified": {
        "en": "UNVERIFIED schedule [M]: numbers not checked against an official text",
        "zh": "未核实指标 [M]：数值尚未与官方文本核对",
    },
    "secondary": {
        "en": "parts from a secondary source [C2]",
        "zh": "部分数值来自二手资料 [C2]",
    },
    "params": {"en": "Params", "zh": "参数"},
    "log": {"en": "Log", "zh": "记录"},
    "samples": {
        "en": "{count} sample times, {first} … {last}",
        "zh": "{count} 个采样时刻，{first} … {last}",
    },
    "probes": {"en": "probes", "zh": "探头"},
    "hold": {"en": "Hold", "zh": "保持"},
    "hold_line": {
        "en": "step {step}: {regime} {threshold} for {duration}, held {start} → {end}",
        "zh": "第 {step} 档：{regime} {threshold}，持续 {duration}；保持 {start} → {end}",
    },
    "heat_sign": {"en": "≥", "zh": "≥"},
    "cold_sign": {"en": "≤", "zh": "≤"},
    "longest": {"en": "Longest hold", "zh": "最长连续保持"},
    "of_needed": {"en": "of {needed} needed", "zh": "（需 {needed}）"},
    "why_fail": {"en": "Why", "zh": "原因"},
    "decided": {"en": "at {at}", "zh": "于 {at}"},
    "interruptions": {"en": "Interruptions", "zh": "中断"},
    "none": {"en": "none", "zh": "无"},
    "findings": {"en": "Findings", "zh": "异常发现"},
    "review_yes": {
        "en": "Review required: yes — an inspector must look at the findings before sign-off",
        "zh": "需要复核：是 —— 签核前检验员须查看异常发现",
    },
    "review_no": {"en": "Review required: no", "zh": "需要复核：否"},
    "criteria": {"en": "Criteria", "zh": "各项条件"},
    "met": {"en": "met", "zh": "满足"},
    "met_at": {"en": "met at {at}", "zh": "于 {at} 满足"},
    "not_met": {"en": "not met", "zh": "未满足"},
    "step_n": {"en": "step {n}", "zh": "第 {n} 档"},
    "more": {"en": "… and {n} more (see --json)", "zh": "…… 另有 {n} 条（见 --json）"},
    # reasons
    "below_threshold": {"en": "below threshold"},
    "above_threshold": {"en": "above threshold"},
    "gap": {"en": "gap in the data"},
    "fault": {"en": "sensor fault"},
    "too_few_probes": {"en": "too few valid probes"},
    "tolerance_exceeded": {"en": "tolerance band budget exceeded"},
    "precondition": {"en": "precondition not met", "zh": "前提条件未满足"},
    "ramp_too_fast": {"en": "ramp too fast", "zh": "升温过快"},
    "no_step_satisfied": {"en": "the log ended before any step was held long enough"},
    "too_few_probes_installed": {
        "en": "fewer probes of the judged role installed than the schedule requires"
    },
    "no_readings": {"en": "the log has no readings"},
    "role_not_covered": {"en": "no reading of the judged role"},
    # findings
    "probe_excluded": {"en": "probe excluded", "zh": "探头被排除"},
    "flatline": {"en": "flatline (identical readings)"},
    "implausible_rate": {"en": "implausible rate of change"},
    "tracks_air": {"en": "product probe tracks the air"},
    "duplicate_series": {"en": "duplicate series"},
    "clock": {"en": "device clock"},
    "precondition_unverified": {"en": "precondition cannot be verified (no probe)"},
    # roles / regimes
    "heat": {"en": "heat", "zh": "热处理"},
    "cold": {"en": "cold", "zh": "冷处理"},
    "product": {"en": "product"},
    "air": {"en": "air", "zh": "空气"},
    "water": {"en": "water", "zh": "水温"},
    "rh": {"en": "humidity"},
    # schedules command
    "id": {"en": "id", "zh": "编号"},
    "title": {"en": "title", "zh": "名称"},
    "confidence": {"en": "confidence", "zh": "可信度"},
    "judged": {"en": "judged", "zh": "判定对象"},
    "min_probes": {"en": "min probes", "zh": "最少探头"},
    "interval": {"en": "max sample interval", "zh": "最大采样间隔"},
    "steps": {"en": "steps", "zh": "档位"},
    "on_interruption": {"en": "on interruption", "zh": "中断时"},
    "restart": {"en": "restart the hold", "zh": "重新计时"},
    "fail_run": {"en": "fail the run", "zh": "判为不合格"},
    "version": {"en": "version", "zh": "版本"},
    "notes": {"en": "notes", "zh": "说明"},
    "unknown_schedule": {
        "en": "unknown schedule {id!r} (known: {known})",
        "zh": "未知处理指标 {id!r}（已有：{known}）",
    },
}


def default_lang() -> str:
    """``zh`` when the locale says Chinese, else ``en``."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


# What the CLI adds to a message: how to give what is missing, in its own options' words. Option
# names belong to the CLI alone: the message itself (on a page, in the API) never names one.
CLI_HINTS: dict[str, str] = {
    "param.missing": "--param {param}=VALUE",
    "role.needs_enterprise": "--enterprise CODE",
    "role.needs_office": "--office CODE",
    "probe.none": "--probe C1:product",
    "calibration.offset_no_probe": "--offset {probe}=…",
}


def catalogue_language(lang: str) -> str:
    return "zh_CN" if lang == "zh" else "en"


def say(message: Message, lang: str | None = None) -> str:
    """A message in the CLI's language (the locale's, unless given), from the one catalogue,
    with the CLI's hint on how to give what is missing."""
    from phytowatch.i18n.catalogue import render

    text = render(message, catalogue_language(lang or default_lang()))
    hint = CLI_HINTS.get(message.code.value)
    if hint is not None:
        text += f" ({hint.format_map(message.params)})"
    return text


def t(key: str, lang: str, **values: object) -> str:
    """The CLI's text ``key`` in ``lang``. A word of the domain (a reason, a finding, a role)
    has no Chinese here: it is the one catalogue's, as the pages and the e-mails say it."""
    entry = _TEXT.get(key)
    if entry is None:
        return key
    text = entry.get(lang)
    if text is None and lang == "zh":
        from phytowatch.i18n.catalogue import word

        said = word(key, "zh_CN")
        text = said if said != key else None
    text = text or entry["en"]
    return text.format(**values) if values else text
