"""article-bot: answers questions about a news article from a curated YAML knowledge base."""
