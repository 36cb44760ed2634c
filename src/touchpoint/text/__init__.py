"""Framework-free text tools for feedback: redacting personal data, grouping texts into themes."""
