"""Text messages: numbers in E.164, the providers that send them, quiet hours, receipts and replies."""
