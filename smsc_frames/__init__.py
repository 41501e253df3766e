"""smsc_frames: SMS campaigns through the SMSC.ru HTTP API, from pandas and Jupyter."""

__version__ = "0.1.0"
