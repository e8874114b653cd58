"""Gradio chat over `rag` (`rag ui`): `from ui.app import create_app, launch`.

Kept free of imports so `rag index` does not pay for loading Gradio.
"""
