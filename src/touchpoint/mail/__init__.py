"""Framework-free email parsing: raw RFC 5322 bytes in, plain data out (no Django import)."""
