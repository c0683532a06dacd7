"""The performance benchmark of issue 8: ``python -m bench.run`` (``make bench``).

See bench/README.md for what it measures and the targets.
"""
