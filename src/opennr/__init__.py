"""opennr — an open 5G New Radio physical layer.

The package is organised like the 3GPP specifications: ``numerology``, ``sequences``,
``modulation`` and ``ofdm`` (TS 38.211 §4-5), ``coding`` (TS 38.212 §5), ``transport``
(TS 38.212 §6-7 and TS 38.214), with ``sim`` and ``cli`` on top.
"""

from importlib.metadata import PackageNotFoundError, version

from opennr.errors import ConfigError

try:
    __version__ = version("opennr")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["ConfigError", "__version__"]
