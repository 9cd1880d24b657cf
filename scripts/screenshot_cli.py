"""Render real `phytowatch evaluate` output as a terminal page and screenshot it (README image).

python scripts/screenshot_cli.py   # writes docs/images/evaluate.png; needs /usr/bin/chromium
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "evaluate.png"
EXAMPLES = "src/phytowatch/examples"
RUNS = [
    ["evaluate", f"{EXAMPLES}/kiln-probe-fault.csv", "--schedule", "ispm15-ht"],
    [
        "evaluate",
        f"{EXAMPLES}/mango-hot-water.csv",
        "--schedule",
        "hwt-mango",
        "--param",
        "fruit_class=500g",
        "--lang",
        "zh",
    ],
]
STYLE = {
    "PASS": "background:#1f7a3a;color:#fff",
    "FAIL": "background:#b3261e;color:#fff",
    "INDETERMINATE": "background:#a86b00;color:#fff",
}


def block(args: list[str]) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "phytowatch"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    lines = [f'<span class="prompt">$ phytowatch {html.escape(" ".join(args[0:]))}</span>']
    for number, line in enumerate(result.stdout.splitlines()):
        text = html.escape(line)
        if number == 0:
            for word, style in STYLE.items():
                if f" {word} " in line:
                    head, _, tail = text.partition(word)
                    text = f'{head}<span style="{style};padding:0 4px">{word}</span>{tail}'
                    break
        lines.append(text)
    lines.append(f'<span class="dim">exit code {result.returncode}</span>')
    return "\n".join(lines)


def main() -> int:
    body = "\n\n".join(block(run) for run in RUNS)
    page = f"""<!doctype html><meta charset="utf-8"><style>
body {{ margin:0; background:#f3f4f6; }}
pre {{ margin:16px; padding:18px 20px; background:#111827; color:#e5e7eb; border-radius:8px;
      font: 14px/1.5 "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace; white-space: pre-wrap;
      width: 1100px; }}
.prompt {{ color:#93c5fd; }} .dim {{ color:#9ca3af; }}
</style><pre>{body}</pre>"""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        tab = browser.new_page(viewport={"width": 1180, "height": 400}, device_scale_factor=1)
        tab.set_content(page)
        tab.locator("pre").screenshot(path=str(OUT))
        browser.close()
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
