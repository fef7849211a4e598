"""Domain package of the briefing bot. Never imports ``telegram``."""
