"""Read path: question -> retrieved chunks -> answer with verified citations."""

from rag.answer import Answer, Citation, SentenceCheck, Source
from rag.pipeline import AskConfig, Pipeline, ask

__all__ = ["Answer", "AskConfig", "Citation", "Pipeline", "SentenceCheck", "Source", "ask"]
