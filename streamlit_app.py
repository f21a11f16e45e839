"""Backprop Lab: the entry point. Streamlit Community Cloud runs this file."""

import streamlit as st

st.set_page_config(page_title="Backprop Lab", page_icon=":material/hub:", layout="wide")
navigation = st.navigation(
    [
        st.Page("pages/train.py", title="Train", icon=":material/model_training:", default=True),
    ]
)
navigation.run()
