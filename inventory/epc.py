"""EPCs as RFID readers send them (hex), through epcpy (GS1 EPC Tag Data Standard): decoded to GTIN + serial,
and encoded for the demo, the benchmark and tests. Nothing here guesses: a tag that is not an SGTIN is not one."""

from epcpy import hex_to_tag_encodable
from epcpy.epc_schemes.sgtin import SGTIN, SGTINFilterValue


def decode_epcs(epcs) -> tuple[dict[str, str], list[str]]:
    """{EPC: GTIN-14} for the SGTIN EPCs among `epcs` (hex, e.g. SGTIN-96), and the EPCs that are not one."""
    decoded, not_sgtin = {}, []
    for epc in epcs:
        try:
            tag = hex_to_tag_encodable(epc)
            if not isinstance(tag, SGTIN):
                raise ValueError(epc)
            decoded[epc] = tag.gtin()
        except Exception:  # epcpy raises several kinds for a malformed or foreign tag: none is an SGTIN
            not_sgtin.append(epc)
    return decoded, not_sgtin


def sgtin96(gtin: str, serial: int, *, company_prefix_length: int = 7) -> str:
    """The SGTIN-96 EPC (24 hex digits) of item `serial` of `gtin`, as a tag on the shop floor carries it."""
    tag = SGTIN.from_gtin_plus_serial(gtin, str(serial), company_prefix_length)
    bits = tag.binary(SGTIN.BinaryCodingScheme.SGTIN_96, SGTINFilterValue.POS_ITEM)
    return f"{int(bits, 2):024X}"
