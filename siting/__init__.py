"""siting: check public-service planning standards on real street networks; propose new sites.

Data flow: inputs → :class:`StudyArea` → rules (:func:`load_rules`) → :func:`assess` →
proposals (:mod:`siting.optimize`) → reports (:mod:`siting.report`).
"""

from .assess import Assessment, assess
from .errors import SitingError
from .propose import Proposal, propose
from .rules import load_rules
from .study_area import StudyArea
from .units import Quantity, parse_quantity

__all__ = ["Assessment", "Proposal", "Quantity", "SitingError", "StudyArea", "assess",
           "load_rules", "parse_quantity", "propose"]
__version__ = "0.1.0"
