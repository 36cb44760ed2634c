"""Empowerment policy (YAML, checked like journeys) and the remedies staff apply or ask a lead for."""
