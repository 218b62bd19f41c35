"""Writes of the support playbook: store tasks (`tasks`) and cases (`cases`)."""
