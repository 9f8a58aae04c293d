"""The final review meeting (终评会) run live in the room."""
