"""``python -m bot`` runs the same CLI as ``article-bot``."""

from bot.cli import main

raise SystemExit(main())
