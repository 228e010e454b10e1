"""The zhitu graph: model, stores and study algorithms."""
