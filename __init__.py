"""知图 zhitu: Chinese deep-learning interview questions as a knowledge graph.

The repository's top-level folders are this package's modules: text/ (zhitu.text), graph/
(zhitu.graph), ingest/ (zhitu.ingest), ui/ (zhitu.ui), data/ (zhitu.data); see pyproject.toml.
"""
