"""Streamlit-side helpers shared by the pages: URL state, cached runs, tidy frames, charts."""
