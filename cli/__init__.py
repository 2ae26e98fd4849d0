"""The `newswatch` sub-commands, one module per group; `newswatch.py` is the entry point.

Each module has `register(commands)`, which adds its sub-parsers with only the options
their commands use, and the command bodies: thin glue over the crawler, the pipelines
and the store.
"""
