"""Formats in and out: Excel, record XML + XSD, paper copy PDF, archives. No Qt here."""
