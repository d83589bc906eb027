"""The knowledge base: versioned, cited YAML data compiled into a frozen, indexed base."""

from taut.core.knowledge.loader import DATA_DIR, load_base, load_uncached
from taut.core.knowledge.schema import KnowledgeBase

__all__ = ["DATA_DIR", "KnowledgeBase", "load_base", "load_uncached"]
