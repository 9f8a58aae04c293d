"""The organising committee's console (the biggest audience, so a package of its own)."""
