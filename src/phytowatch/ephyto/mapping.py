"""The words both directions share: which note subject or process characteristic carries which
field of ours (docs/ephyto.md has the table).

The IPPC subjects (``Subject``, from INTERCOM's list the schema enumerates) are used where one
fits; a field with no IPPC subject travels as a national note (``SubjectCode``, free in the
schema) named ``CN-...``, which an importing NPPO may ignore and we read back.
"""

from __future__ import annotations

ADDITIONAL_DECLARATION = "ADEDL"
MARKS = "DMCL"
PACKAGES_OF_LINE = "OPTND"  # "number and description of packages" of a line
QUANTITY_VALUE = "OQV"
QUANTITY_UNIT = "OQU"
# the re-export box (ISPM 12's re-export model), on each line as the hub's samples carry it
REEXPORT_ORIGIN = "RPCCO"
REEXPORT_REFERENCE = "RPCRF"
REEXPORT_ORIGINAL = "RPCOR"
REEXPORT_CERTIFIED_COPY = "RPCTC"
REEXPORT_REPACKED = "RPCRP"
REEXPORT_ORIGINAL_CONTAINERS = "RPCOC"
REEXPORT_NEW_CONTAINERS = "RPCNC"
REEXPORT_ADDITIONAL_INSPECTION = "RPCAI"
# a treatment's characteristics (Description[0] names it, Description[1] is its value)
TREATMENT_TYPE = "TTL1"
TREATMENT_CHEMICAL = "TTCH"
TREATMENT_DURATION_TEMPERATURE = "TTTM"
TREATMENT_CONCENTRATION = "TTCO"
TREATMENT_FREE_TEXT = "TTFT"  # the whole treatment in words, for a reader: not read back
# national notes and characteristics (SubjectCode), read back by us
NATIONAL_PACKAGES = "CN-PACKAGES"  # the certificate's "number and description of packages"
NATIONAL_REMARKS = "CN-REMARKS"
NATIONAL_PRODUCT = "CN-PRODUCT"  # the catalogue's product code of a line
TREATMENT_RUN = "CN-RUN"
TREATMENT_SCHEDULE = "CN-SCHEDULE"
TREATMENT_FACILITY = "CN-FACILITY"
TREATMENT_TREATER = "CN-TREATER"

PROCESS_TYPE = "ZZZ"  # UNECE ProcessTypeCode "mutually defined": the IPPC lists are the hub's
TRANSPORT_MODE_UNSPECIFIED = "0"  # UNECE Rec. 19: we keep the means of conveyance as words
PACKAGE_LEVEL = "1"
HS = "HS"
# package words of our declarations -> UNECE Rec. 21 codes; anything else: PK (package)
PACKAGE_CODES = {
    "bag": "BG", "bags": "BG", "袋": "BG",
    "bale": "BL", "bales": "BL", "包": "BL",
    "box": "BX", "boxes": "BX", "箱": "BX",
    "carton": "CT", "cartons": "CT", "纸箱": "CT",
    "case": "CS", "cases": "CS",
    "crate": "CR", "crates": "CR", "板条箱": "CR",
    "pallet": "PX", "pallets": "PX", "托盘": "PX",
    "bulk": "VQ", "散装": "VQ",
}  # fmt: skip
PACKAGE_OTHER = "PK"
WEIGHT_UNITS = {"kg": "KGM", "t": "TNE"}  # also given as the line's net weight
