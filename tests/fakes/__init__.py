"""Deterministic fakes and helpers for tests: an OpenAI-compatible server, a llama.cpp server, small knowledge bases."""
