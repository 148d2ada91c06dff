"""CLI commands, one module each, each with ``register(subparsers)`` setting ``func``."""
