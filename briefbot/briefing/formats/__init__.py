"""Format-specific text extraction. Each returns a list of pages, each a list of lines."""
