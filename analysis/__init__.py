"""Analysis layer: runs, tidy results, summaries (experiments and plots come later)."""
