"""Check a learner's own backprop: their numbers against the exact pass, and the classic mistake named.

Plain Python on top of the engine (no web imports), shared by POST /api/check and `backprop-lab check`.
"""

from app.check.compare import ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE, SCALE_TOLERANCE, TOLERANCE
from app.check.numbers import CheckReport, Mismatch, QuantityCheck, check_numbers, computation_order, pairing_id
from app.check.pairings import PAIRINGS, PairingSearch, check_pairings
from app.check.yours import COLUMN_VECTORS, GRAD_W_TRANSPOSED, NIELSEN_NABLAS, YoursError

__all__ = [
    "ABSOLUTE_TOLERANCE", "COLUMN_VECTORS", "GRAD_W_TRANSPOSED", "NIELSEN_NABLAS", "PAIRINGS", "RELATIVE_TOLERANCE",
    "SCALE_TOLERANCE", "TOLERANCE", "CheckReport", "Mismatch", "PairingSearch", "QuantityCheck", "YoursError",
    "check_numbers", "check_pairings", "computation_order", "pairing_id",
]
