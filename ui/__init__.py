"""The two faces of zhitu: the CLI and the Streamlit app."""
