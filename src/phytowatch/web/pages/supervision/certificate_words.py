"""The certificate's words the pages show: its states and kinds (marked for the catalogue), and
the model certificate's field labels, which are printed in Chinese and English together on the
certificate itself (ISPM 12, Appendix 1, as China's 植物检疫证书 words them), so the page shows
both whatever the reader's language.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext marker: translated when shown
    return message


STATES = {
    "draft": N_("certificate.draft"),
    "submitted": N_("certificate.submitted"),
    "returned": N_("certificate.returned"),
    "approved": N_("certificate.approved"),
    "issued": N_("certificate.issued"),
    "printed": N_("certificate.printed"),
    "rejected": N_("certificate.rejected"),
    "cancelled": N_("certificate.cancelled"),
    "replaced": N_("certificate.replaced"),
}
KINDS = {
    "phytosanitary": N_("certificate.kind.phytosanitary"),
    "reexport": N_("certificate.kind.reexport"),
    "treatment": N_("certificate.kind.treatment"),
}

# (key, Chinese, English): the model certificate's labels, in its order
LABELS: dict[str, tuple[str, str]] = {
    "title.phytosanitary": ("植物检疫证书", "PHYTOSANITARY CERTIFICATE"),
    "title.reexport": ("转口植物检疫证书", "PHYTOSANITARY CERTIFICATE FOR RE-EXPORT"),
    "title.treatment": ("熏蒸/消毒证书", "FUMIGATION/DISINFECTION CERTIFICATE"),
    "number": ("编号", "No."),
    "exporter": ("发货人名称及地址", "Name and address of exporter"),
    "consignee": ("收货人名称及地址", "Declared name and address of consignee"),
    "destination": ("致：植物保护组织", "To: Plant Protection Organization(s) of"),
    "produce": ("品名", "Name of produce"),
    "botanical_name": ("植物学名", "Botanical name of plants"),
    "quantity": ("报检数量", "Quantity declared"),
    "packages": ("包装数量及种类", "Number and description of packages"),
    "marks": ("标记及号码", "Distinguishing marks"),
    "place_of_origin": ("产地", "Place of origin"),
    "conveyance": ("运输工具", "Declared means of conveyance"),
    "point_of_entry": ("入境口岸", "Declared point of entry"),
    "port_of_exit": ("出境口岸", "Port of exit"),
    "containers": ("集装箱号", "Container numbers"),
    "additional_declaration": ("附加声明", "Additional declaration"),
    "treatment": ("杀虫和/或灭菌处理", "Disinfestation and/or disinfection treatment"),
    "treatment.date": ("日期", "Date"),
    "treatment.method": ("处理方法", "Treatment"),
    "treatment.chemical": ("药剂（有效成分）", "Chemical (active ingredient)"),
    "treatment.duration": ("持续时间及温度", "Duration and temperature"),
    "treatment.concentration": ("浓度", "Concentration"),
    "treatment.facility": ("处理单位", "Treatment facility"),
    "treatment.treater": ("处理单位注册号", "Treater number"),
    "reexport": ("转口", "Re-export"),
    "reexport.origin": ("原产国", "Country of origin"),
    "reexport.original": ("原植物检疫证书编号", "Original phytosanitary certificate No."),
    "reexport.copy": ("经核实的副本", "Certified true copy"),
    "reexport.repacked": ("重新包装", "Repacked"),
    "reexport.new_containers": ("更换新包装", "In new containers"),
    "reexport.inspection": ("附加检查", "Additional inspection"),
    "remarks": ("备注", "Remarks"),
    "place_of_issue": ("签证地点", "Place of issue"),
    "date_of_issue": ("签证日期", "Date of issue"),
    "officer": ("授权签字人", "Name of authorized officer"),
    "check_code": ("校验码", "Check code"),
}
