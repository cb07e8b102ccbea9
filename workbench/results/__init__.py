"""Write, read and check result folders (SPEC §2)."""
