"""Domain operations of the dialogues app, one module per area."""
