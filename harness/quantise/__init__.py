"""Quantisation: recipes applied per artifact format, chosen by the recipe enum, cached."""
