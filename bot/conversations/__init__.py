"""The bot's conversations, one module per capability; bot.interactions routes to them."""
