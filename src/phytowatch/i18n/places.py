"""Place names in both languages: the registry keeps a city as it was entered (one name); a page
shows it in the reader's language when the other name is known here.

Known: Jiangxi's 11 prefecture-level cities (the bureau's province). A city not listed is shown
as it was entered, in either language.
"""

from __future__ import annotations

# (Chinese, English)
CITIES = (
    ("南昌", "Nanchang"),
    ("九江", "Jiujiang"),
    ("景德镇", "Jingdezhen"),
    ("萍乡", "Pingxiang"),
    ("新余", "Xinyu"),
    ("鹰潭", "Yingtan"),
    ("赣州", "Ganzhou"),
    ("吉安", "Ji'an"),
    ("宜春", "Yichun"),
    ("抚州", "Fuzhou"),
    ("上饶", "Shangrao"),
)
_BY_NAME = {name.casefold(): pair for pair in CITIES for name in pair}


def city_name(city: str, language: str) -> str:
    """The city in ``language`` ("zh_CN" or "en") when known, else as it was entered."""
    pair = _BY_NAME.get(city.strip().casefold())
    if pair is None:
        return city
    return pair[0] if language == "zh_CN" else pair[1]
