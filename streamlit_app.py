"""Backprop Lab: the entry point. Streamlit Community Cloud runs this file.

The pages live in app_pages/, not pages/: while a folder named pages/ exists, Streamlit
(1.67) serves the first session of a fresh server with its legacy folder-based router,
so a shared deep link opened on a just-woken app would skip this file entirely.
"""

import streamlit as st

st.set_page_config(page_title="Backprop Lab", page_icon=":material/hub:", layout="wide")
navigation = st.navigation(
    [
        st.Page(
            "app_pages/train.py", title="Train", icon=":material/model_training:", default=True
        ),
        st.Page(
            "app_pages/backprop.py", title="Backprop, step by step", icon=":material/calculate:"
        ),
        st.Page("app_pages/learning_rate.py", title="Learning-rate study", icon=":material/speed:"),
        st.Page(
            "app_pages/hidden_units.py", title="Hidden-units study", icon=":material/view_column:"
        ),
        st.Page("app_pages/activations.py", title="Activations", icon=":material/functions:"),
        st.Page(
            "app_pages/gradient_vanishing.py",
            title="Gradient vanishing",
            icon=":material/trending_down:",
        ),
        st.Page(
            "app_pages/generalization.py", title="Generalization", icon=":material/call_split:"
        ),
    ]
)
navigation.run()
