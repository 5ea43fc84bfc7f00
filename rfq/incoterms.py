"""Incoterms® 2020: which legs of a shipment the seller's price already covers, as data.

The split follows the ICC wall chart (Incoterms 2020) as summarised in the domain reference, §1.1:

- EXW: the buyer pays everything from the seller's premises: loading, export clearance and origin inland
  (``origin``), main carriage, insurance, import clearance and duties, delivery;
- FCA: the seller clears for export and hands over to the buyer's carrier; the buyer pays the rest;
- FOB: as FCA, loaded on board at the port of loading (sea and inland waterway only);
- CFR / CPT: FOB / FCA plus the main carriage to the destination port or place;
- CIF / CIP: CFR / CPT plus cargo insurance;
- DAP: everything to the named place of destination (the final warehouse), not import clearance or duties;
- DDP: everything, import clearance and duties included (the seller is the importer of record).

No ORM: plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Incoterm(StrEnum):
    EXW = "EXW"
    FCA = "FCA"
    FOB = "FOB"
    CFR = "CFR"
    CIF = "CIF"
    CPT = "CPT"
    CIP = "CIP"
    DAP = "DAP"
    DDP = "DDP"


@dataclass(frozen=True)
class Split:
    """What the seller's price covers (True) and so what the buyer need not pay again."""

    origin: bool  # loading, export clearance, origin inland to the port or carrier
    main_carriage: bool  # international freight
    insurance: bool  # cargo insurance for the main carriage
    destination_inland: bool  # delivery from the port of discharge to the named place
    import_clearance: bool  # the customs broker's entry, duties, MPF and HMF


SPLITS: dict[Incoterm, Split] = {
    Incoterm.EXW: Split(False, False, False, False, False),
    Incoterm.FCA: Split(True, False, False, False, False),
    Incoterm.FOB: Split(True, False, False, False, False),
    Incoterm.CFR: Split(True, True, False, False, False),
    Incoterm.CPT: Split(True, True, False, False, False),
    Incoterm.CIF: Split(True, True, True, False, False),
    Incoterm.CIP: Split(True, True, True, False, False),
    Incoterm.DAP: Split(True, True, True, True, False),
    Incoterm.DDP: Split(True, True, True, True, True),
}

# FOB, CFR and CIF are for sea and inland waterway transport only (Incoterms 2020).
SEA_ONLY = frozenset({Incoterm.FOB, Incoterm.CFR, Incoterm.CIF})


def split_for(incoterm: str) -> Split:
    """The split of ``incoterm`` (its three-letter code); KeyError for anything else."""
    return SPLITS[Incoterm(incoterm)]
