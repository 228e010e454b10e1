"""Text in its matching forms, shared by ingest and graph (and imported by neither's peers only).

normalize: NFKC + lower case, and the one title key for question ids and lookups; fold: the
matching form with source offsets; segment: one jieba per process; terms: search terms.
This package imports nothing from zhitu.graph, zhitu.ingest or zhitu.ui.
"""
