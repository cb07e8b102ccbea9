"""School design workbench: turn a school design into an optimised, checkable plan, judged student by student."""

__version__ = "0.1.0"
