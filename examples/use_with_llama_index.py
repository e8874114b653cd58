"""Use grounded-rag from llama-index.

    rag index ../shared/corpus --store .rag-store
    python examples/use_with_llama_index.py .rag-store

Nothing here reads llama_index.core.Settings: every component is passed explicitly.
"""

import sys

from llama_index.core.evaluation import RetrieverEvaluator
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine

from rag.llama_index import GroundedQueryEngine, GroundedRetriever

store = sys.argv[1] if len(sys.argv) > 1 else ".rag-store"
question = "Who is the CEO of Alibaba Group?"

# 1. Our hybrid retriever inside llama-index's own query engine (any LLM, passed explicitly).
with GroundedRetriever.from_store(store, top_k=5) as retriever:
    for hit in retriever.retrieve(question)[:2]:
        node = hit.node
        print(
            f"{hit.score:.4f} {node.metadata['title']} [{node.start_char_idx}:{node.end_char_idx}]"
        )
    engine = RetrieverQueryEngine.from_args(retriever, llm=MockLLM(max_tokens=8))
    print(len(engine.query(question).source_nodes), "source nodes")
    evaluator = RetrieverEvaluator.from_metric_names(["hit_rate", "mrr"], retriever=retriever)
    ids = [n.node.node_id for n in retriever.retrieve(question)][:1]
    print(evaluator.evaluate(question, expected_ids=ids).metric_vals_dict)

# 2. Our whole read path as a query engine: verified answer, cited spans, abstentions.
with GroundedQueryEngine.from_store(store) as engine:  # llm="ollama"/Ollama(...)/any LLM
    response = engine.query(question)
    print(response.response)
    for n in response.source_nodes:
        print(n.node.metadata["source"], n.node.start_char_idx, n.node.end_char_idx)
    print("abstained:", response.metadata["abstained"])
