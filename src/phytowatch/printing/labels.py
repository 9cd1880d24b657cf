"""Every text printed on a certificate, in English (the msgid); the Chinese is the one
catalogue's (``messages.po``). The certificate prints both, Chinese first, as the bureau's
certificates do."""

from __future__ import annotations

from phytowatch.i18n.catalogue import word


def N_(message: str) -> str:  # noqa: N802 - the gettext marker
    return message


AUTHORITY = N_("ENTRY-EXIT INSPECTION AND QUARANTINE OF THE PEOPLE'S REPUBLIC OF CHINA")
TITLES = {
    "phytosanitary": N_("PHYTOSANITARY CERTIFICATE"),
    "reexport": N_("PHYTOSANITARY CERTIFICATE FOR RE-EXPORT"),
    "treatment": N_("FUMIGATION/DISINFECTION CERTIFICATE"),
}
NUMBER = N_("No.")
CHECK_CODE = N_("Check code")
TO_PPO = N_("To: the plant protection organization(s) of")
EXPORTER = N_("Name and address of exporter")
CONSIGNEE = N_("Declared name and address of consignee")
PACKAGES = N_("Number and description of packages")
MARKS = N_("Distinguishing marks")
ORIGIN = N_("Place of origin")
CONVEYANCE = N_("Declared means of conveyance")
ENTRY = N_("Declared point of entry")
EXIT = N_("Port of exit")
PRODUCE = N_("Name of produce and quantity declared")
PRODUCE_NAME = N_("Name of produce")
BOTANICAL = N_("Botanical name of plants")
QUANTITY = N_("Quantity declared")
LINE_PACKAGES = N_("Packages")
CONTAINERS = N_("Containers")
CERTIFICATION = N_("Certification")
STATEMENT = N_(
    "This is to certify that the plants, plant products or other regulated articles described "
    "herein have been inspected and/or tested according to appropriate official procedures and "
    "are considered to be free from the quarantine pests specified by the importing contracting "
    "party and to conform with the current phytosanitary requirements of the importing "
    "contracting party, including those for regulated non-quarantine pests."
)
REEXPORT_STATEMENT = N_(
    "This is to certify that the plants, plant products or other regulated articles described "
    "above were imported into China from {origin} covered by Phytosanitary Certificate No. "
    "{original}, {copy} of which is attached to this certificate; that they are {packed} in "
    "{containers}; that based on the original phytosanitary certificate{inspection}, they are "
    "considered to conform with the current phytosanitary requirements of the importing "
    "contracting party; and that during storage in China the consignment has not been "
    "subjected to the risk of infestation or infection."
)
RE_ORIGINAL = N_("the original")
RE_CERTIFIED_COPY = N_("a certified true copy")
RE_PACKED = N_("packed")
RE_REPACKED = N_("repacked")
RE_ORIGINAL_CONTAINERS = N_("original containers")
RE_NEW_CONTAINERS = N_("new containers")
RE_INSPECTION = N_(" and additional inspection")
TREATMENT_STATEMENT = N_(
    "This is to certify that the goods described above have been treated as stated below, "
    "under the official supervision of the issuing office, the treatment monitored and signed "
    "off from its own records."
)
ADDITIONAL = N_("Additional declaration")
TREATMENT = N_("Disinfestation and/or disinfection treatment")
DATE = N_("Date")
METHOD = N_("Treatment")
CHEMICAL = N_("Chemical (active ingredient)")
DURATION = N_("Duration and temperature")
CONCENTRATION = N_("Concentration")
MORE = N_("Additional information")
FACILITY = N_("facility {facility}")
TREATER = N_("treater No. {number}")
SCHEDULE = N_("schedule {schedule}")
NONE = N_("none")
PLACE_OF_ISSUE = N_("Place of issue")
DATE_OF_ISSUE = N_("Date of issue")
OFFICER = N_("Name of authorized officer")
SIGNATURE = N_("Signature")
STAMP = N_("Stamp of organization")
REMARKS = N_("Remarks")
REPLACES = N_("This certificate replaces and cancels certificate No. {number}.")
SCAN = N_("scan to verify")
VERIFY_AT = N_("Verify at {address} with the number and the check code.")
PAGE = N_("Page {page} of {pages}")
ORIGINAL = N_("ORIGINAL")
COPY = N_("COPY")
DRAFT = N_("DRAFT")
DRAFT_NO_QR = N_("not issued: no number, no QR code")
NO_LIABILITY = N_(
    "No financial liability with respect to this certificate shall attach to the "
    "plant protection organization or to any of its officers or representatives."
)
PRINTED = (
    AUTHORITY,
    *TITLES.values(),
    NUMBER,
    CHECK_CODE,
    TO_PPO,
    EXPORTER,
    CONSIGNEE,
    PACKAGES,
    MARKS,
    ORIGIN,
    CONVEYANCE,
    ENTRY,
    EXIT,
    PRODUCE,
    PRODUCE_NAME,
    BOTANICAL,
    QUANTITY,
    LINE_PACKAGES,
    CONTAINERS,
    CERTIFICATION,
    STATEMENT,
    REEXPORT_STATEMENT,
    RE_ORIGINAL,
    RE_CERTIFIED_COPY,
    RE_PACKED,
    RE_REPACKED,
    RE_ORIGINAL_CONTAINERS,
    RE_NEW_CONTAINERS,
    RE_INSPECTION,
    TREATMENT_STATEMENT,
    ADDITIONAL,
    TREATMENT,
    DATE,
    METHOD,
    CHEMICAL,
    DURATION,
    CONCENTRATION,
    MORE,
    FACILITY,
    TREATER,
    SCHEDULE,
    NONE,
    PLACE_OF_ISSUE,
    DATE_OF_ISSUE,
    OFFICER,
    SIGNATURE,
    STAMP,
    REMARKS,
    REPLACES,
    SCAN,
    VERIFY_AT,
    PAGE,
    ORIGINAL,
    COPY,
    DRAFT,
    DRAFT_NO_QR,
    NO_LIABILITY,
)


def zh(text: str) -> str:
    return word(text, "zh_CN")


def both(text: str, sep: str = " ") -> str:
    """Chinese, then English: ``发货人名称及地址 Name and address of exporter``."""
    chinese = zh(text)
    return text if chinese == text else f"{chinese}{sep}{text}"
