"""The reference central hall: HTTP + JSON over FastAPI and SQLAlchemy.

Terminals import ``hall.schema`` (the wire contract) and nothing else from this package.
"""
