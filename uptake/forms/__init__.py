"""Forms of the uptake app, one module per part of the chain."""
