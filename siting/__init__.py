"""siting: check public-service planning standards on real street networks; propose new sites."""

from .errors import SitingError
from .study_area import StudyArea
from .units import Quantity, parse_quantity

__all__ = ["SitingError", "StudyArea", "Quantity", "parse_quantity"]
__version__ = "0.1.0"
