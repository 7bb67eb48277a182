"""Reading the citizen's documents.

Page finding, quality gates, PP-OCR engines, per-document field extraction, validators, and the
material checks against the catalog's rules.
"""
