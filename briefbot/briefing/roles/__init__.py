"""One module per role: each claims the blocks (or parts of blocks) its cues decide."""
