"""The Telegram adapter's handlers (python-telegram-bot 22), one module per concern.

:mod:`bot.telegram_app` composes them into the application. Every handler is
``async def x(update, context) -> None`` and reads the running bot's state from one
:class:`bot.telegram.state.BotState` in ``bot_data``. All reply text is Telegram HTML built with
:mod:`bot.render`, so article and user text is escaped.
"""
