"""Reusable Textual widgets: layer bars, heatmaps, plots, metric cards."""
