"""`rag serve`: the HTTP API (FastAPI under uvicorn) with the Gradio page at /ui.

Modules: `auth` (token rule, size cap; no framework), `service` (what routes do, no HTTP),
`openai_compat` (the chat-completions shape), `app` (routes), `commands` (the CLI).
Kept free of imports so `rag index` does not pay for loading FastAPI.
"""
