"""Views of the dialogues app, one module per area; URLs in dialogues/urls.py."""
