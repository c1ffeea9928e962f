"""Model data the engine ships with (see README.md here for where each file comes from)."""
