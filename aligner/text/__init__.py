"""Text rules shared by every layer (scripts, normalisation, safe XML parsing, ...)."""
